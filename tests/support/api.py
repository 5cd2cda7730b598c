"""A running rm-graphql app on loopback, and a small GraphQL client with real tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from starlette.applications import Starlette

from rm_graphql.auth.devtokens import mint_dev_token
from rm_graphql.observability import current_request_id


@dataclass
class Api:
    """The app's base URL plus the key folder its development tokens are signed with."""

    base_url: str
    key_dir: Path
    app: Starlette

    @contextmanager
    def statements(self) -> Iterator[list[str]]:
        """Collect the SQL statements the server runs for requests inside the block.

        Only statements run on behalf of a request count (they carry its request id): the
        in-process job worker's periodic checks may run at any moment beside them.
        """
        seen: list[str] = []
        engine = self.app.state.database.engine.sync_engine

        def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
            if current_request_id.get() is not None:
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    def token(self, tenant: str, subject: str, *scopes: str, email: str | None = None) -> str:
        return mint_dev_token(self.key_dir, tenant, subject, list(scopes), email=email)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )

    def query(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str
    ) -> dict[str, Any]:
        """Run an operation that must succeed at the GraphQL level; return its data."""
        response = self.post(query, variables, token=token)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def new_tenant() -> str:
    """A fresh tenant slug, so tests that commit through the API never see each other."""
    return f"t{uuid.uuid4().hex[:12]}"

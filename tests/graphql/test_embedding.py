"""Hosts embed rm-graphql: mount the app under a prefix, compose its types, or federate."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.tools import merge_types

from rm_graphql.app import create_app
from rm_graphql.config import load_settings
from rm_graphql.embedding import Embedded
from rm_graphql.graphql.context import Context
from rm_graphql.testing.server import running_server
from tests.support.api import Api, new_tenant


async def host_home(_request: Request) -> JSONResponse:
    return JSONResponse({"host": "people-platform"})


def test_mount_under_a_prefix(database_url: str, tmp_path: Path) -> None:
    settings = load_settings(database_url=database_url, var_dir=tmp_path)
    host = Starlette(routes=[Route("/", host_home), Mount("/mentoring", app=create_app(settings))])
    api = Api(base_url="", key_dir=tmp_path, app=host)
    token = api.token(new_tenant(), "hr@example.com", "rm:admin")
    with running_server(host) as base_url:
        assert httpx.get(f"{base_url}/").json() == {"host": "people-platform"}
        assert httpx.get(f"{base_url}/mentoring/healthz").json() == {"status": "ok"}
        assert (
            httpx.post(
                f"{base_url}/mentoring/graphql", json={"query": "{ apiVersion }"}
            ).status_code
            == 401
        )
        response = httpx.post(
            f"{base_url}/mentoring/graphql",
            json={"query": "{ me { subject } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json() == {"data": {"me": {"subject": "hr@example.com"}}}


@strawberry.type
class HostQuery:
    @strawberry.field
    def host_name(self) -> str:
        return "people-platform"


def test_compose_our_types_into_a_host_schema(database_url: str, tmp_path: Path) -> None:
    embedded = Embedded(load_settings(database_url=database_url, var_dir=tmp_path))
    query = merge_types("Query", (HostQuery, *embedded.query_types))
    host_schema = embedded.lenient_global_ids(
        strawberry.Schema(query=query, extensions=embedded.extensions)
    )

    class HostGraphQL(GraphQL[Context, None]):
        async def get_context(self, request: Request | WebSocket, response: object) -> Context:
            return embedded.context(request)

    host = Starlette(routes=[Route("/graphql", embedded.protect(HostGraphQL(host_schema)))])
    token = Api(base_url="", key_dir=tmp_path, app=host).token(
        new_tenant(), "pm@example.com", "rm:program"
    )
    with running_server(host) as base_url:
        response = httpx.post(
            f"{base_url}/graphql",
            json={"query": '{ hostName programs { totalCount } program(id: "") { id } }'},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.json() == {
        "data": {"hostName": "people-platform", "programs": {"totalCount": 0}, "program": None}
    }


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rm_graphql.cli", "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_federation_subgraph_resolves_entities(tmp_path: Path) -> None:
    """In its own process, since federation marks Employee and Program with @key."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "RM_DATABASE_URL": f"sqlite:///{tmp_path}/fed.db",
        "RM_VAR_DIR": str(tmp_path),
        "RM_FEDERATION": "true",
    }
    process = _serve(env, port)
    base = f"http://127.0.0.1:{port}/graphql"
    api = Api(base_url=f"http://127.0.0.1:{port}", key_dir=tmp_path, app=Starlette())
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        token = api.token("acme", "hr@example.com", "rm:admin")
        sdl = api.query("{ _service { sdl } }", token=token)["_service"]["sdl"]
        assert 'type Employee implements Node @key(fields: "id"' in sdl
        assert 'type Program implements Node @key(fields: "id"' in sdl
        created = api.query(
            'mutation { createProgram(input: {name: "Federated"}) { ... on Program { id } } }',
            token=token,
        )
        program_id = created["createProgram"]["id"]
        entities = api.query(
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Program { name } } }",
            {"r": [{"__typename": "Program", "id": program_id}]},
            token=token,
        )
        assert entities == {"_entities": [{"name": "Federated"}]}
        malformed = api.query(
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Program { name } }"
            ' program(id: "") { id } }',
            {"r": [{"__typename": "Program", "id": ""}]},
            token=token,
        )
        assert malformed == {"_entities": [None], "program": None}
        assert httpx.post(base, json={"query": "{ _service { sdl } }"}).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(url)

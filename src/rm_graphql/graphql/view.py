"""The ASGI GraphQL view: builds the typed context for each request."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from rm_graphql.auth.middleware import REQUEST_ID_PATTERN, principal_from_scope
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.federation import federation_schema
from rm_graphql.graphql.schema import schema


def request_id(request: Request | WebSocket) -> str:
    """The caller's X-Request-ID when it is safe to log, else a new one."""
    given = request.headers.get("x-request-id", "")
    return given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, database: Database, settings: Settings) -> None:
        super().__init__(
            federation_schema() if settings.federation else schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
        )
        self.database = database
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            database=self.database,
            settings=self.settings,
            principal=principal_from_scope(request.scope),
            request_id=request_id(request),
        )

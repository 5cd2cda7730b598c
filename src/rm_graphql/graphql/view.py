"""The ASGI GraphQL view: builds the typed context for each request."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from rm_graphql.auth.middleware import REQUEST_ID_PATTERN, principal_from_scope
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.fastpath import FastPath, encode, serve
from rm_graphql.graphql.federation import federation_schema
from rm_graphql.graphql.schema import schema

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

logger = logging.getLogger(__name__)


def request_id(request: Request | WebSocket) -> str:
    """The request's id (set by RequestIdMiddleware), the caller's when safe, else a new one."""
    assigned = request.scope.get("state", {}).get("request_id")
    if isinstance(assigned, str):
        return assigned
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
        self.fast_path = FastPath.create(self.schema, database.engine)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A covered JSON POST is answered by the compiled read path; the rest by Strawberry."""
        if self.fast_path is not None and scope["type"] == "http":
            replay = await serve(self.fast_path, scope, receive, send)
            if replay is None:
                return
            receive = replay
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        request.state.sub_response = response
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            database=self.database,
            settings=self.settings,
            principal=principal_from_scope(request.scope),
            request_id=request_id(request),
            jobs=getattr(request.app.state, "jobs", None),
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Covered queries are answered by one compiled SQL statement; the rest as before."""
        if self.fast_path is not None:
            try:
                result = await self.fast_path.execute(
                    context.principal, request_data.query, request_data.operation_name,
                    request_data.variables,
                )  # fmt: skip
            except Exception:
                # The compiled path is an optimisation: whatever it trips on, normal execution
                # answers, so it can never turn a valid request into a 500.
                logger.exception("fast path failed (request %s); falling back", context.request_id)
                result = None
            if result is not None:
                return result
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    def encode_json(self, data: Any) -> str | bytes:
        return encode(data, super().encode_json)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """GraphQL over HTTP: with application/graphql-response+json, request errors are 400s."""
        body = await super().process_result(request, result)
        if GRAPHQL_RESPONSE_JSON not in request.headers.get("accept", ""):
            return body
        sub_response: Response = request.state.sub_response
        sub_response.media_type = GRAPHQL_RESPONSE_JSON
        if _is_request_error(result):
            sub_response.status_code = 400
            body.pop("data", None)
        return body

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type:
            response.headers["content-type"] = sub_response.media_type
        return response


def _is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable errors: no data, and no error points into a result."""
    return (
        result.data is None
        and bool(result.errors)
        and all(not error.path for error in result.errors or ())
    )

"""For hosts that compose rm-graphql's types into a Strawberry schema of their own.

    from rm_graphql.embedding import Embedded
    embedded = Embedded(settings)
    Query = merge_types("Query", (HostQuery, *embedded.query_types))  # bring your own `node`
    schema = embedded.lenient_global_ids(
        strawberry.Schema(Query, mutation=..., extensions=embedded.extensions)
    )  # a malformed id then answers NotFound or null, as in rm-graphql's own schema
    app.add_route("/graphql", HostGraphQL(schema, context_getter=embedded.context))

The host's request must pass through `embedded.protect` (or carry a Principal put in
`scope["state"]["principal"]` by the host's own authentication).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp
from starlette.websockets import WebSocket

from rm_graphql.auth.middleware import principal_from_scope
from rm_graphql.config import Settings
from rm_graphql.db import Database
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.global_ids import lenient_global_ids
from rm_graphql.graphql.schema import (
    EXTENSIONS,
    MUTATION_TYPES,
    QUERY_TYPES,
    SUBSCRIPTION_TYPES,
)
from rm_graphql.graphql.view import request_id
from rm_graphql.security import protect


class Embedded:
    """rm-graphql's query and mutation types, extensions and context, for a host schema."""

    query_types = QUERY_TYPES
    mutation_types = MUTATION_TYPES
    subscription_types = SUBSCRIPTION_TYPES
    extensions = EXTENSIONS
    lenient_global_ids = staticmethod(lenient_global_ids)

    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        self.settings = settings
        self.database = database or Database.from_settings(settings)

    def context(self, request: Request | WebSocket) -> Context:
        """Build the context rm-graphql's resolvers need from a host request."""
        return Context(
            request=request,
            response=None,
            database=self.database,
            settings=self.settings,
            principal=principal_from_scope(request.scope),
            request_id=request_id(request),
        )

    def protect(self, app: ASGIApp) -> ASGIApp:
        """Bearer-token authentication in front of the host's GraphQL route."""
        return protect(app, self.settings)

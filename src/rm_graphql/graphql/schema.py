"""The Strawberry schema served at /graphql."""

from __future__ import annotations

import strawberry

from rm_graphql import __version__


@strawberry.type
class Query:
    @strawberry.field(description="The version of rm-graphql serving this API.")
    def api_version(self) -> str:
        return __version__


schema = strawberry.Schema(query=Query)

"""The Strawberry schema served at /graphql, assembled from the domain rooms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import Info

from rm_graphql import __version__
from rm_graphql.audit.types import AuditQueries
from rm_graphql.engagement.types import EngagementMutations, EngagementQueries
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.extensions import MaskUnexpectedErrors, UnitOfWork
from rm_graphql.graphql.global_ids import lenient_global_ids, node_or_none
from rm_graphql.graphql.me import MeQueries
from rm_graphql.kpis.types import KpiQueries
from rm_graphql.observability import OperationMetrics
from rm_graphql.pairing.types import PairingMutations, PairingQueries, PairingSubscriptions
from rm_graphql.people.types import PeopleMutations, PeopleQueries
from rm_graphql.privacy.types import PrivacyMutations
from rm_graphql.programs.types import ProgramMutations, ProgramQueries
from rm_graphql.sync.types import SyncMutations, SyncQueries, SyncSubscriptions
from rm_graphql.webhooks.types import WebhookMutations, WebhookQueries

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000


# The rooms' types; a host composing rm-graphql into its own schema takes these (no `node`).
QUERY_TYPES: tuple[type, ...] = (
    WebhookQueries,
    MeQueries,
    PeopleQueries,
    ProgramQueries,
    PairingQueries,
    EngagementQueries,
    AuditQueries,
    SyncQueries,
    KpiQueries,
)
MUTATION_TYPES: tuple[type, ...] = (
    WebhookMutations,
    PeopleMutations,
    ProgramMutations,
    PairingMutations,
    EngagementMutations,
    PrivacyMutations,
    SyncMutations,
)


SUBSCRIPTION_TYPES: tuple[type, ...] = (PairingSubscriptions, SyncSubscriptions)


def root_types() -> tuple[type, type, type]:
    """Fresh Query and Mutation roots: a Relay `node` field belongs to one schema only."""

    @strawberry.type
    class NodeQueries:
        # Not relay.node(): that one answers an error, not null, for an id of no Node type.
        @strawberry.field(description="Any object by its global id.")
        async def node(
            self,
            info: Info[Context, None],
            id: Annotated[relay.GlobalID, strawberry.argument(description="The ID of the object.")],
        ) -> relay.Node | None:
            return await node_or_none(info, id)

        @strawberry.field(description="The version of rm-graphql serving this API.")
        def api_version(self) -> str:
            return __version__

    return (
        merge_types("Query", (NodeQueries, *QUERY_TYPES)),
        merge_types("Mutation", MUTATION_TYPES),
        merge_types("Subscription", SUBSCRIPTION_TYPES),
    )


Query, Mutation, Subscription = root_types()

EXTENSIONS: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
    lambda: ParserCache(maxsize=1024),
    lambda: ValidationCache(maxsize=1024),
    lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
    lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    OperationMetrics,
    MaskUnexpectedErrors,
    UnitOfWork,
]

schema = lenient_global_ids(
    strawberry.Schema(
        query=Query, mutation=Mutation, subscription=Subscription, extensions=EXTENSIONS
    )
)

"""GraphQL types and fields for employees and topics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Self

import strawberry
from sqlalchemy import Row
from strawberry import relay
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.enums import EmployeeStatus, TopicCategory
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.loading import by_id_loader
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import Connection, PageArgs, paginate
from rm_graphql.models import Employee
from rm_graphql.people import service
from rm_graphql.people.repository import EmployeeFilter
from rm_graphql.people.service import TopicSpec


@strawberry.type(name="Employee", description="A person synced from the HRIS.")
class EmployeeType(relay.Node):
    id: relay.NodeID[int]
    external_id: str
    source: str
    employee_number: str | None
    email: str | None
    display_name: str
    job_title: str | None
    department: str | None
    division: str | None
    location: str | None
    timezone: str | None
    languages: list[str]
    job_level: int | None
    hire_date: date | None
    status: EmployeeStatus
    terminated_at: datetime | None
    last_synced_at: datetime | None
    manager_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Row[Any] | Employee) -> Self:
        return cls(
            id=row.id,
            external_id=row.external_id,
            source=row.source,
            employee_number=row.employee_number,
            email=row.email,
            display_name=row.display_name,
            job_title=row.job_title,
            department=row.department,
            division=row.division,
            location=row.location,
            timezone=row.timezone,
            languages=list(row.languages or ()),
            job_level=row.job_level,
            hire_date=row.hire_date,
            status=row.status,
            terminated_at=row.terminated_at,
            last_synced_at=row.last_synced_at,
            manager_id=row.manager_id,
        )

    @strawberry.field(description="Their manager, for HR admins and program managers.")
    def manager(self, info: Info[Context, None]) -> EmployeeType | None:
        if self.manager_id is None or not _reads_directory(info.context):
            return None
        return employee_loader(info.context).load(self.manager_id)  # type: ignore[no-any-return]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[EmployeeType | None]:
        if not _reads_directory(info.context):
            return [None for _ in node_ids]
        loader = employee_loader(info.context)
        return list(await loader.load_many([int(node_id) for node_id in node_ids]))


def _reads_directory(context: Context) -> bool:
    principal = context.principal
    return principal is not None and bool({"rm:admin", "rm:program"} & set(principal.scopes))


def employee_loader(context: Context) -> Any:
    return by_id_loader(context, "employees", service.visible_employees, EmployeeType.from_row)


@strawberry.type(name="Topic", description="A skill or interest in the tenant's taxonomy.")
class TopicType(relay.Node):
    id: relay.NodeID[int]
    slug: str
    name: str
    category: TopicCategory
    description: str | None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            category=row.category,
            description=row.description,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[TopicType | None]:
        loader = by_id_loader(info.context, "topics", service.topics_by_ids, cls.from_row)
        return list(await loader.load_many([int(node_id) for node_id in node_ids]))


@strawberry.input(description="Filters for the employee directory.")
class EmployeeFilterInput:
    status: EmployeeStatus | None = None
    department: str | None = None
    search: str | None = strawberry.field(default=None, description="Part of a name or email.")


@strawberry.input
class TopicInput:
    slug: str
    name: str
    category: TopicCategory
    description: str | None = None


@strawberry.input
class UpsertTopicsInput:
    topics: list[TopicInput]


@strawberry.type
class TopicList:
    topics: list[TopicType]


@strawberry.type
class PeopleQueries:
    @strawberry.field(description="The tenant's employees (HR admins and program managers).")
    async def employees(
        self,
        info: Info[Context, None],
        where: EmployeeFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EmployeeType]:
        context = info.context
        criteria = EmployeeFilter(**vars(where)) if where else EmployeeFilter()

        async def fetch(page: Any) -> list[EmployeeType]:
            rows = await context.run(service.list_employees, criteria, page)
            return [EmployeeType.from_row(row) for row in rows]

        return await paginate(
            lambda: context.run(service.count_employees, criteria),
            fetch,
            PageArgs(first, after, last, before),
        )

    @strawberry.field(description="The tenant's topics, by slug.")
    async def topics(
        self, info: Info[Context, None], category: TopicCategory | None = None
    ) -> list[TopicType]:
        rows = await info.context.run(service.list_topics, category)
        return [TopicType.from_row(row) for row in rows]


UpsertTopicsResult = Annotated[TopicList | ErrorType, strawberry.union("UpsertTopicsResult")]


def _topic_list(topics: list[Any]) -> TopicList:
    return TopicList(topics=[TopicType.from_row(topic) for topic in topics])


@strawberry.type
class PeopleMutations:
    @strawberry.mutation(description="Create or update topics by slug (never deletes).")
    async def upsert_topics(
        self, info: Info[Context, None], input: UpsertTopicsInput
    ) -> UpsertTopicsResult:
        specs = [TopicSpec(t.slug, t.name, t.category, t.description) for t in input.topics]
        return await mutate(info.context, service.upsert_topics, _topic_list, specs)

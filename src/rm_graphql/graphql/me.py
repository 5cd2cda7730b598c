"""The `me` query: the caller's own employee record and participations."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.selection import selected
from rm_graphql.people.types import EmployeeType, employee_loader
from rm_graphql.programs.types import ParticipantType, my_participations, prefetch_participants


@strawberry.type(description="The caller, as this tenant knows them.")
class Me:
    subject: str
    scopes: list[str]
    employee: EmployeeType | None
    participations: list[ParticipantType]


@strawberry.type
class MeQueries:
    @strawberry.field(description="The caller's employee, participations and pairs.")
    async def me(self, info: Info[Context, None]) -> Me:
        context = info.context
        actor = await context.actor()
        employee = None
        if actor.employee_id is not None:
            employee = await employee_loader(context).load(actor.employee_id)
        participations: list[ParticipantType] = []
        tree = selected(info).get("participations")
        if tree is not None:
            participations = await prefetch_participants(
                context, await my_participations(context), tree
            )
        return Me(
            subject=actor.principal.subject,
            scopes=sorted(actor.principal.scopes),
            employee=employee,
            participations=participations,
        )

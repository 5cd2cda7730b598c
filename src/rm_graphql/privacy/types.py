"""GraphQL for data-subject rights: export one person's data, erase a person (HR admins)."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from rm_graphql.graphql.context import Context
from rm_graphql.graphql.errors import ErrorType
from rm_graphql.graphql.mutations import mutate
from rm_graphql.graphql.relay import db_id
from rm_graphql.people.types import EmployeeType
from rm_graphql.privacy import service
from rm_graphql.security import erasure_key


@strawberry.type(description="Everything stored about one employee.")
class EmployeeDataExport:
    data: JSON


@strawberry.input
class EraseEmployeeInput:
    employee_id: relay.GlobalID
    reason: str | None = None


EraseEmployeeResult = Annotated[EmployeeType | ErrorType, strawberry.union("EraseEmployeeResult")]
ExportEmployeeDataResult = Annotated[
    EmployeeDataExport | ErrorType, strawberry.union("ExportEmployeeDataResult")
]


def _export(document: dict[str, Any]) -> EmployeeDataExport:
    return EmployeeDataExport(data=cast(JSON, document))


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Export everything stored about one employee as JSON (HR admins; audited)."
    )
    async def export_employee_data(
        self, info: Info[Context, None], employee_id: relay.GlobalID
    ) -> ExportEmployeeDataResult:
        return await mutate(info.context, service.export, _export, db_id(employee_id, "Employee"))

    @strawberry.mutation(
        description="Erase a person: pseudonymise them, remove their free text, keep KPI counts; "
        "a later sync never brings them back."
    )
    async def erase_employee(
        self, info: Info[Context, None], input: EraseEmployeeInput
    ) -> EraseEmployeeResult:
        key = erasure_key(info.context.settings)
        employee_id = db_id(input.employee_id, "Employee")
        return await mutate(
            info.context, service.erase, EmployeeType.from_row, key, employee_id, input.reason
        )

"""The domain's enums, registered once as GraphQL enums (the same classes the models use)."""

from __future__ import annotations

import strawberry

from rm_graphql.models.enums import (
    EmployeeStatus,
    EnrolmentMode,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    RunStatus,
    SessionCapPolicy,
    TopicCategory,
    TopicDirection,
)

for _enum in (
    EmployeeStatus,
    EnrolmentMode,
    PairStatus,
    ParticipantRole,
    ParticipantStatus,
    ProgramStatus,
    RunStatus,
    SessionCapPolicy,
    TopicCategory,
    TopicDirection,
):
    strawberry.enum(_enum)

__all__ = [
    "EmployeeStatus",
    "EnrolmentMode",
    "PairStatus",
    "ParticipantRole",
    "ParticipantStatus",
    "ProgramStatus",
    "RunStatus",
    "SessionCapPolicy",
    "TopicCategory",
    "TopicDirection",
]

"""Export and erasure of one person's data, and the tombstones that keep erasure final."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Scope
from rm_graphql.errors import Conflict, NotFound
from rm_graphql.models import Employee
from rm_graphql.privacy import repository
from rm_graphql.tenancy.service import Actor

ERASED = "[erased]"


def subject_digest(key: bytes, source: str, external_id: str) -> str:
    """A keyed hash of an HRIS identity: recognises a returning person without storing who."""
    message = f"{source}\x1f{external_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def erased_digests(session: AsyncSession, tenant_id: int) -> set[str]:
    """The digests of everyone erased in a tenant (for the sync to skip them)."""
    return await repository.erased_digests(session, tenant_id)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value.value if hasattr(value, "value") and not isinstance(value, int | float) else value


async def _subject(session: AsyncSession, actor: Actor, employee_id: int) -> Employee:
    actor.require(Scope.ADMIN)
    employee = await repository.employee(session, actor.tenant_id, employee_id)
    if employee is None:
        raise NotFound("no such employee")
    return employee


async def export(session: AsyncSession, actor: Actor, employee_id: int) -> dict[str, Any]:
    """Everything stored about one employee, as JSON; anonymous feedback only as a count."""
    employee = await _subject(session, actor, employee_id)
    tenant = actor.tenant_id
    mine = await repository.participant_ids(session, tenant, employee.id)
    pairs = await repository.rows(session, repository.pairs_of(tenant, mine))
    identities = [value for value in (employee.email, employee.external_id) if value]

    def read(statement: Any) -> Any:
        return repository.rows(session, statement)

    anonymous = await repository.rows_of(
        session, repository.feedback_by(tenant, mine, anonymous=True)
    )
    document = {
        "employee": {column.key: getattr(employee, column.key) for column in Employee.__table__.c},
        "participations": await read(repository.participations(tenant, employee.id)),
        "topics": await read(repository.topics_of(tenant, mine)),
        "pairs": pairs,
        "sessions": await read(repository.sessions_of(tenant, [p["id"] for p in pairs])),
        "goals": await read(repository.goals_of(tenant, mine)),
        "feedback": await read(repository.feedback_by(tenant, mine, anonymous=False)),
        "anonymousFeedbackCount": len(anonymous),
        "skillAssessments": await read(repository.assessments_of(tenant, mine)),
        "auditTrail": await read(repository.audit_by(tenant, identities)),
    }
    record(session, actor, "employee.exported", "Employee", employee.id)
    return dict(_jsonable(document))


async def erase(
    session: AsyncSession, actor: Actor, digest_key: bytes, employee_id: int, reason: str | None
) -> Employee:
    """Pseudonymise a person, drop their free text, keep KPI counts, and tombstone them."""
    employee = await _subject(session, actor, employee_id)
    if employee.erased_at is not None:
        raise Conflict("this person is already erased")
    tenant = actor.tenant_id
    mine = await repository.participant_ids(session, tenant, employee.id)
    identities = [value for value in (employee.email, employee.external_id) if value]
    digest = subject_digest(digest_key, employee.source, employee.external_id)
    await repository.add_tombstone(session, tenant, digest, actor.name)
    await repository.erase_free_text(session, tenant, mine)
    alias = f"erased-employee-{employee.id}"
    await repository.pseudonymise_actor(session, tenant, identities, alias)
    _pseudonymise(employee, alias)
    await session.flush()
    record(session, actor, "employee.erased", "Employee", employee.id, reason=reason)
    return employee


def _pseudonymise(employee: Employee, alias: str) -> None:
    """Keep what anonymous KPIs count (status, department, level, hire year); drop the rest."""
    employee.external_id = alias
    employee.display_name = ERASED
    employee.email = employee.employee_number = employee.job_title = None
    employee.division = employee.location = employee.timezone = None
    employee.birth_year = None
    employee.languages, employee.interests, employee.skills = [], [], []
    employee.custom_attributes = {}
    employee.manager_id = None
    if employee.hire_date is not None:
        employee.hire_date = date(employee.hire_date.year, 1, 1)
    employee.erased_at = datetime.now(UTC)

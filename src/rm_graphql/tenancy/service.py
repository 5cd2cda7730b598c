"""The acting caller of a request or job, resolved once and passed to every service."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.auth.principal import Principal, Scope
from rm_graphql.errors import NotAllowed
from rm_graphql.tenancy import repository


@dataclass(frozen=True)
class Actor:
    """A principal bound to its tenant row and, when known, to its own employee row."""

    tenant_id: int
    principal: Principal
    employee_id: int | None
    request_id: str | None = None

    @property
    def name(self) -> str:
        return self.principal.subject

    @property
    def is_admin(self) -> bool:
        return self.principal.has(Scope.ADMIN)

    @property
    def manages_programs(self) -> bool:
        return self.principal.has(Scope.ADMIN) or self.principal.has(Scope.PROGRAM)

    @property
    def reads_kpis(self) -> bool:
        return self.manages_programs or self.principal.has(Scope.KPI)

    @property
    def is_participant(self) -> bool:
        return self.principal.has(Scope.PARTICIPANT)

    def require(self, *scopes: Scope) -> None:
        """Raise NotAllowed unless the caller holds one of the scopes."""
        if not any(self.principal.has(scope) for scope in scopes):
            raise NotAllowed("this needs one of: " + ", ".join(scope.value for scope in scopes))

    def require_manager(self) -> None:
        self.require(Scope.ADMIN, Scope.PROGRAM)


async def resolve_actor(
    session: AsyncSession, principal: Principal, request_id: str | None = None
) -> Actor:
    """Bind a verified principal to its tenant (created on first sight) and employee."""
    tenant_id = await repository.ensure_tenant(session, principal.tenant)
    employee_id = await repository.employee_id_for_subject(
        session, tenant_id, principal.subject, principal.email
    )
    return Actor(tenant_id, principal, employee_id, request_id)


def system_actor(tenant_id: int, name: str) -> Actor:
    """The actor of work the service does by itself (jobs, periodic checks), as an admin."""
    principal = Principal(tenant=str(tenant_id), subject=name, scopes=frozenset({Scope.ADMIN}))
    return Actor(tenant_id=tenant_id, principal=principal, employee_id=None)

"""Who may read KPIs: HR admins, program managers and KPI readers, within their own tenant."""

from __future__ import annotations

from rm_graphql.errors import NotAllowed, NotFound
from rm_graphql.kpis.figures import KpiScope
from rm_graphql.tenancy.service import Actor


def require_reader(actor: Actor, scope: KpiScope | None = None) -> None:
    """Participants never see program KPIs: small programs would expose their partners."""
    if not actor.reads_kpis:
        raise NotAllowed("reading KPIs needs one of: rm:admin, rm:program, rm:kpi")
    if scope is not None and scope.tenant_id != actor.tenant_id:
        raise NotFound("no such program")

"""The authenticated caller: tenant, subject, email and scopes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

TENANT_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class Scope(StrEnum):
    """Scopes a token can grant; anything else in a token is ignored."""

    ADMIN = "rm:admin"
    PROGRAM = "rm:program"
    PARTICIPANT = "rm:participant"
    KPI = "rm:kpi"
    SYNC = "rm:sync"


KNOWN_SCOPES: frozenset[str] = frozenset(scope.value for scope in Scope)


@dataclass(frozen=True)
class ClaimNames:
    """Which JWT claims carry the tenant, subject, email and scopes."""

    tenant: tuple[str, ...] = ("tenant",)
    subject: str = "sub"
    email: str = "email"
    scope_string: str = "scope"
    scope_list: str = "scp"


@dataclass(frozen=True)
class Principal:
    """Who is calling, for which tenant, with which scopes."""

    tenant: str
    subject: str
    email: str | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)

    def has(self, scope: Scope | str) -> bool:
        """Return True if the principal holds the scope (`rm:admin` does not imply others)."""
        return scope in self.scopes

    @property
    def is_admin(self) -> bool:
        """True for an HR admin of the tenant."""
        return Scope.ADMIN in self.scopes


class ClaimError(ValueError):
    """The claims cannot be turned into a principal."""


def principal_from_claims(claims: dict[str, Any], names: ClaimNames) -> Principal:
    """Build a Principal from verified claims, or raise ClaimError."""
    subject = claims.get(names.subject)
    if not isinstance(subject, str) or not subject.strip():
        raise ClaimError(f"missing or invalid subject claim {names.subject!r}")
    email = claims.get(names.email)
    if email is not None and not isinstance(email, str):
        raise ClaimError(f"invalid email claim {names.email!r}")
    scopes = _scopes_from_claims(claims, names)
    if not scopes:
        raise ClaimError("token grants no known scope")
    return Principal(
        tenant=_tenant_from_claims(claims, names),
        subject=subject,
        email=email or None,
        scopes=scopes,
    )


def _tenant_from_claims(claims: dict[str, Any], names: ClaimNames) -> str:
    """Return the tenant slug; several tenant claims must agree."""
    values = [claims[name] for name in names.tenant if claims.get(name) is not None]
    if not values:
        raise ClaimError("missing tenant claim")
    tenant = values[0]
    if any(value != tenant for value in values[1:]):
        raise ClaimError("conflicting tenant claims")
    if not isinstance(tenant, str) or not TENANT_SLUG.fullmatch(tenant):
        raise ClaimError("tenant claim is not a valid slug")
    return tenant


def _scopes_from_claims(claims: dict[str, Any], names: ClaimNames) -> frozenset[Scope]:
    """Collect known scopes from a space-separated string and/or a list claim."""
    granted: set[str] = set()
    for name in (names.scope_string, names.scope_list):
        value = claims.get(name)
        if isinstance(value, str):
            granted.update(value.split())
        elif isinstance(value, list):
            granted.update(item for item in value if isinstance(item, str))
        elif value is not None:
            raise ClaimError(f"invalid scope claim {name!r}")
    return frozenset(Scope(item) for item in granted & KNOWN_SCOPES)

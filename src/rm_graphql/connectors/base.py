"""Connector protocol, the plain records connectors return, and their typed errors."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

CustomValue = str | int | bool | tuple[str, ...]


class EmployeeStatus(enum.StrEnum):
    """Employment status as the sync understands it."""

    ACTIVE = "ACTIVE"
    LEAVE = "LEAVE"
    TERMINATED = "TERMINATED"


@dataclass(frozen=True, slots=True)
class EmployeeRecord:
    """One employee as read from a source, keyed by the vendor's immutable id."""

    source: str
    external_id: str
    display_name: str
    status: EmployeeStatus = EmployeeStatus.ACTIVE
    employee_number: str | None = None
    email: str | None = None
    job_title: str | None = None
    department: str | None = None
    division: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    job_level: int | None = None
    manager_external_id: str | None = None
    manager_employee_number: str | None = None
    hire_date: date | None = None
    birth_year: int | None = None
    terminated_on: date | None = None
    interests: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    custom: Mapping[str, CustomValue] = field(default_factory=dict, hash=False)
    last_changed: datetime | None = None


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    """A source row that failed validation: reported, never silently dropped."""

    external_id: str
    reason: str
    row: int | None = None


@dataclass(frozen=True, slots=True)
class FetchPage:
    """One batch of a fetch run.

    `watermark` is the value to pass as `since` next time: take the last page's, and
    persist it only after the whole run has been consumed. `complete_snapshot` is true
    when the run lists every current employee, so absent ones may be treated as leavers.
    `removed` holds ids the source reports as deleted.
    """

    records: tuple[EmployeeRecord, ...]
    invalid: tuple[InvalidRecord, ...] = ()
    removed: tuple[str, ...] = ()
    watermark: datetime | None = None
    complete_snapshot: bool = False


@runtime_checkable
class Connector(Protocol):
    """What every HRIS connector offers the sync engine."""

    source: str

    async def check(self) -> None:
        """Test the connection and credentials; raise a ConnectorError on failure."""

    def fetch(self, since: datetime | None = None) -> AsyncIterator[FetchPage]:
        """Yield pages of records: a full run when `since` is None, else changes since it."""
        ...

    async def aclose(self) -> None:
        """Release HTTP connections."""


class TokenStore(Protocol):
    """Persistence for an OAuth token dict (the lead stores it encrypted in the DB)."""

    async def load(self) -> dict[str, Any] | None:
        """Return the stored token, or None when there is none."""
        ...

    async def save(self, token: dict[str, Any]) -> None:
        """Persist a new token, replacing the old one (refresh tokens rotate)."""


class InMemoryTokenStore:
    """A TokenStore that keeps the token in memory, for tests and demos."""

    def __init__(self, token: dict[str, Any] | None = None) -> None:
        self.token = dict(token) if token is not None else None
        self.saves = 0

    async def load(self) -> dict[str, Any] | None:
        """Return a copy of the stored token."""
        return dict(self.token) if self.token is not None else None

    async def save(self, token: dict[str, Any]) -> None:
        """Keep a copy of the token."""
        self.token = dict(token)
        self.saves += 1


class ConnectorError(Exception):
    """Base class for every error a connector raises."""

    code = "CONNECTOR_ERROR"


class ConfigurationError(ConnectorError):
    """The connector or its mapping profile is configured wrongly."""

    code = "CONFIGURATION_ERROR"


class AuthenticationError(ConnectorError):
    """The source rejected the credentials."""

    code = "AUTHENTICATION_FAILED"


class ReconnectRequired(AuthenticationError):
    """The OAuth grant is gone (invalid_grant or no token): an admin must reconnect."""

    code = "RECONNECT_REQUIRED"


class PermissionDeniedError(ConnectorError):
    """The credentials are valid but lack access to the resource."""

    code = "PERMISSION_DENIED"


class RateLimitedError(ConnectorError):
    """The source kept throttling after every retry."""

    code = "RATE_LIMITED"


class SourceUnavailableError(ConnectorError):
    """The source kept failing (5xx, timeouts, connection errors) after every retry."""

    code = "SOURCE_UNAVAILABLE"


class UnexpectedResponseError(ConnectorError):
    """The source answered with a status or body the connector cannot use."""

    code = "UNEXPECTED_RESPONSE"


class FieldMismatchError(ConnectorError):
    """A report returned fewer fields than requested (silent nulls otherwise)."""

    code = "FIELD_MISMATCH"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "the source silently dropped requested fields (unknown or not permitted): "
            + ", ".join(sorted(missing))
        )
        self.missing = sorted(missing)


class PagingInconsistencyError(ConnectorError):
    """Paging never produced a consistent listing: refuse to truncate silently."""

    code = "PAGING_INCONSISTENT"


class SourceFormatError(ConnectorError):
    """A file source is unreadable as a whole (e.g. a CSV without the needed columns)."""

    code = "SOURCE_FORMAT"

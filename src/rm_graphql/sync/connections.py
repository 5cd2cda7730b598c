"""Stored HRIS connections: credentials sealed at rest, OAuth tokens kept (rotated) in the row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.audit.service import record
from rm_graphql.auth.principal import Scope
from rm_graphql.connectors import ReconnectRequired
from rm_graphql.crypto import DecryptionError, SecretBox
from rm_graphql.db import Database
from rm_graphql.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from rm_graphql.models import HrisConnection
from rm_graphql.models.enums import ConnectionKind
from rm_graphql.sync import repository
from rm_graphql.sync.schedule import valid_schedule
from rm_graphql.sync.sources import TOKEN_KEY, SourceConfig, problems
from rm_graphql.tenancy.service import Actor

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_WEBHOOK_SECRET = 16
SECRET_NAME = re.compile(r"(?i)secret|password|token|api[_-]?key|credential")


@dataclass
class ConnectionSpec:
    """Fields of a connection; None leaves a field as it is on update."""

    name: str | None = None
    kind: ConnectionKind | None = None
    base_url: str | None = None
    options: object = None  # a JSON object from the API; checked by `_as_dict`
    credentials: object = None
    webhook_secret: str | None = None
    schedule_cron: str | None = None
    enabled: bool | None = None


def credentials_of(connection: HrisConnection, box: SecretBox) -> dict[str, Any]:
    """The decrypted credentials (empty when none are stored)."""
    if not connection.credentials_encrypted:
        return {}
    return box.decrypt_dict(connection.credentials_encrypted)


def source_config(connection: HrisConnection, box: SecretBox) -> SourceConfig:
    """What build_connector needs, decrypted for this run only."""
    return SourceConfig(
        connection.kind,
        connection.base_url,
        dict(connection.options),
        credentials_of(connection, box),
    )


def _as_dict(value: object, field: str) -> dict[str, Any] | None:
    """A JSON object input, or None when not given."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise ValidationFailed.single(field, "must be a JSON object")
    return dict(value)


def _check(spec: ConnectionSpec, config: SourceConfig) -> None:
    """Raise ValidationFailed listing every problem."""
    found = list(problems(config))
    if spec.name is not None and not NAME.fullmatch(spec.name):
        found.append(FieldProblem(("name",), "1-64 letters, digits, '.', '_' or '-'"))
    if spec.webhook_secret and len(spec.webhook_secret) < MIN_WEBHOOK_SECRET:
        found.append(FieldProblem(("webhookSecret",), f"needs {MIN_WEBHOOK_SECRET}+ characters"))
    if spec.schedule_cron and not valid_schedule(spec.schedule_cron):
        found.append(FieldProblem(("scheduleCron",), "must be a five-field cron expression"))
    for key in config.options:
        if SECRET_NAME.search(key):
            message = "options are shown to admins: put secrets in credentials"
            found.append(FieldProblem(("options", key), message))
    if found:
        raise ValidationFailed(found)


async def _unique_name(session: AsyncSession, tenant_id: int, name: str, own: int | None) -> None:
    existing = await repository.connection_by_name(session, tenant_id, name)
    if existing is not None and existing.id != own:
        raise Conflict(f"a connection named {name!r} already exists")


async def create_connection(
    session: AsyncSession, actor: Actor, box: SecretBox, spec: ConnectionSpec
) -> HrisConnection:
    """Store a connection; credentials and webhook secret are sealed, never returned."""
    actor.require(Scope.ADMIN)
    if spec.kind is None or spec.name is None:
        raise ValidationFailed.single("name" if spec.kind else "kind", "is required")
    options = _as_dict(spec.options, "options") or {}
    credentials = _as_dict(spec.credentials, "credentials") or {}
    config = SourceConfig(spec.kind, spec.base_url, options, credentials)
    _check(spec, config)
    await _unique_name(session, actor.tenant_id, spec.name, None)
    connection = HrisConnection(
        tenant_id=actor.tenant_id,
        name=spec.name,
        kind=spec.kind,
        base_url=spec.base_url,
        options=dict(config.options),
        credentials_encrypted=box.encrypt(dict(config.credentials)) if config.credentials else None,
        webhook_secret_encrypted=box.encrypt(spec.webhook_secret) if spec.webhook_secret else None,
        schedule_cron=spec.schedule_cron or None,
        enabled=True if spec.enabled is None else spec.enabled,
    )
    session.add(connection)
    await session.flush()
    record(session, actor, "hris_connection.created", "HrisConnection", connection.id,
           name=connection.name, kind=connection.kind.value)  # fmt: skip
    return connection


async def update_connection(
    session: AsyncSession, actor: Actor, box: SecretBox, connection_id: int, spec: ConnectionSpec
) -> HrisConnection:
    """Change a connection; new credentials replace the old ones and any stored OAuth token."""
    actor.require(Scope.ADMIN)
    connection = await repository.connection(
        session, actor.tenant_id, connection_id, for_update=True
    )
    if connection is None:
        raise NotFound("no such HRIS connection")
    current = source_config(connection, box)
    options = _as_dict(spec.options, "options")
    credentials = _as_dict(spec.credentials, "credentials")
    config = SourceConfig(
        connection.kind,
        connection.base_url if spec.base_url is None else spec.base_url or None,
        current.options if options is None else options,
        current.credentials if credentials is None else credentials,
    )
    _check(spec, config)
    if spec.name is not None:
        await _unique_name(session, actor.tenant_id, spec.name, connection.id)
    changed = _apply(connection, spec, config, box, replace_credentials=credentials is not None)
    await session.flush()
    record(session, actor, "hris_connection.updated", "HrisConnection", connection.id,
           changed=changed)  # fmt: skip
    return connection


def _apply(
    connection: HrisConnection,
    spec: ConnectionSpec,
    config: SourceConfig,
    box: SecretBox,
    *,
    replace_credentials: bool,
) -> list[str]:
    """Copy the given fields onto the row; return their names (never their values)."""
    changed = [name for name, value in vars(spec).items() if value is not None]
    connection.base_url = config.base_url
    connection.options = dict(config.options)
    if spec.name is not None:
        connection.name = spec.name
    if replace_credentials:
        credentials = dict(config.credentials)
        connection.credentials_encrypted = box.encrypt(credentials) if credentials else None
    if spec.webhook_secret is not None:
        secret = spec.webhook_secret
        connection.webhook_secret_encrypted = box.encrypt(secret) if secret else None
    if spec.schedule_cron is not None:
        connection.schedule_cron = spec.schedule_cron or None
    if spec.enabled is not None:
        connection.enabled = spec.enabled
    return changed


async def list_connections(session: AsyncSession, actor: Actor) -> Sequence[HrisConnection]:
    actor.require(Scope.ADMIN, Scope.SYNC)
    return await repository.connections(session, actor.tenant_id)


async def connections_by_ids(
    session: AsyncSession, actor: Actor, ids: Sequence[int]
) -> Sequence[HrisConnection]:
    if not (actor.is_admin or actor.principal.has(Scope.SYNC)):
        return []
    return await repository.connections_by_ids(session, actor.tenant_id, ids)


class ConnectionTokenStore:
    """A TokenStore in the connection row: each save commits at once, sealed with the box.

    A rotated refresh token must outlive a run that fails later, so saves never ride
    on the run's own transaction.
    """

    def __init__(self, database: Database, box: SecretBox, connection_id: int) -> None:
        self.database = database
        self.box = box
        self.connection_id = connection_id

    async def load(self) -> dict[str, Any] | None:
        """The stored token, if the connection has one."""
        async with self.database.transaction(readonly=True) as session:
            connection = await repository.connection_by_id(session, self.connection_id)
            if connection is None:
                raise ReconnectRequired("the HRIS connection no longer exists")
            token = self._credentials(connection).get(TOKEN_KEY)
        return dict(token) if isinstance(token, dict) else None

    async def save(self, token: dict[str, Any]) -> None:
        """Seal the new token into the row and commit."""
        async with self.database.transaction() as session:
            connection = await repository.connection_by_id(
                session, self.connection_id, for_update=True
            )
            if connection is None:
                raise ReconnectRequired("the HRIS connection no longer exists")
            credentials = self._credentials(connection)
            credentials[TOKEN_KEY] = dict(token)
            connection.credentials_encrypted = self.box.encrypt(credentials)

    def _credentials(self, connection: HrisConnection) -> dict[str, Any]:
        try:
            return credentials_of(connection, self.box)
        except DecryptionError as error:
            raise ReconnectRequired("stored credentials cannot be decrypted") from error

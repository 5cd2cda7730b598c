"""Key rotation for secrets at rest: re-encrypt whatever an older key still protects."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.crypto import SecretBox
from rm_graphql.sync import repository as sync
from rm_graphql.webhooks import repository as webhooks

SECRET_COLUMNS = (
    ("hris_connections", "credentials_encrypted"),
    ("hris_connections", "webhook_secret_encrypted"),
    ("webhook_endpoints", "secret_encrypted"),
)


def _rotate(row: Any, column: str, box: SecretBox) -> bool:
    token = getattr(row, column)
    if token is None or not box.needs_rotation(token):
        return False
    setattr(row, column, box.rotate(token))
    return True


async def rotate_secrets(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt every stored secret under the newest key; returns how many changed.

    Put the new key first in RM_ENCRYPTION_KEYS (old ones after it), run this once, then the
    old keys can be removed.
    """
    changed = 0
    for connection in await sync.connections_with_secrets(session):
        changed += _rotate(connection, "credentials_encrypted", box)
        changed += _rotate(connection, "webhook_secret_encrypted", box)
    for endpoint in await webhooks.all_endpoints(session):
        changed += _rotate(endpoint, "secret_encrypted", box)
    await session.flush()
    return changed

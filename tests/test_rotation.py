"""Rotating the key of secrets at rest: old ciphertexts move to the new key, nothing is lost."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.config import load_settings
from rm_graphql.crypto import SecretBox, generate_key
from rm_graphql.models import HrisConnection
from rm_graphql.models.enums import ConnectionKind
from rm_graphql.rotation import rotate_secrets
from rm_graphql.webhooks.service import create_endpoint
from tests.support.people import create_tenant


async def test_rotation_re_encrypts_under_the_newest_key(session: AsyncSession) -> None:
    old, new = generate_key(), generate_key()
    before = SecretBox([old])
    tenant = await create_tenant(session)
    connection = HrisConnection(
        tenant_id=tenant.id, name="bamboo", kind=ConnectionKind.BAMBOOHR,
        credentials_encrypted=before.encrypt({"api_key": "k-123"}),
        webhook_secret_encrypted=before.encrypt("whsec-abcdefghijklmnop"),
    )  # fmt: skip
    session.add(connection)
    endpoint = await create_endpoint(
        session, tenant.id, before, "https://h.example.test/", "s" * 20, ["*"]
    )
    # Other tests commit secrets under the development key to this database; a real deployment
    # lists every key still in use after the newest one, so this box does too.
    development = load_settings().secret_key.get_secret_value()
    after = SecretBox([new, old, development])
    assert await rotate_secrets(session, after) >= 3
    assert await rotate_secrets(session, after) == 0
    only_new = SecretBox([new])
    assert only_new.decrypt_dict(connection.credentials_encrypted or "") == {"api_key": "k-123"}
    assert (
        only_new.decrypt_str(connection.webhook_secret_encrypted or "") == "whsec-abcdefghijklmnop"
    )
    assert only_new.decrypt_str(endpoint.secret_encrypted) == "s" * 20

"""Secrets at rest (SecretBox) and redaction of credentials in log records."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator

import pytest

from rm_graphql.crypto import (
    DecryptionError,
    InvalidKeyError,
    RedactingFilter,
    SecretBox,
    derive_key,
    generate_key,
    install_log_redaction,
    key_id,
    redact,
)

CREDENTIALS = {"client_id": "workday-client", "client_secret": "s3cr3t-Value!", "tenant": "acme"}
REFRESH_TOKEN = "rt-0123456789abcdef-refresh"
PASSPHRASE = "correct horse battery staple, long enough to derive"


@pytest.mark.parametrize("value", [CREDENTIALS, REFRESH_TOKEN, "", {"nested": {"a": [1, 2]}}])
def test_round_trip_keeps_type_and_value(value: dict[str, object] | str) -> None:
    box = SecretBox([generate_key()])
    assert box.decrypt(box.encrypt(value)) == value


def test_ciphertext_never_contains_the_plaintext() -> None:
    box = SecretBox([generate_key()])
    token = box.encrypt(CREDENTIALS)
    decoded = base64.urlsafe_b64decode(token)
    for secret in (b"s3cr3t-Value!", b"workday-client", b"client_secret"):
        assert secret not in decoded
        assert secret.decode() not in token
    assert box.encrypt(CREDENTIALS) != token  # random IV: equal secrets look different


def test_old_ciphertexts_stay_readable_and_rotate_to_the_new_key() -> None:
    old_key, new_key = generate_key(), generate_key()
    token = SecretBox([old_key]).encrypt(REFRESH_TOKEN)
    box = SecretBox([new_key, old_key])

    assert box.decrypt(token) == REFRESH_TOKEN
    assert box.needs_rotation(token)
    rotated = box.rotate(token)
    assert rotated != token
    assert not box.needs_rotation(rotated)
    assert SecretBox([new_key]).decrypt_str(rotated) == REFRESH_TOKEN
    with pytest.raises(DecryptionError):
        SecretBox([old_key]).decrypt(rotated)


def test_wrong_key_raises_a_typed_error() -> None:
    token = SecretBox([generate_key()]).encrypt(CREDENTIALS)
    other = SecretBox([generate_key()])
    for operation in (other.decrypt, other.rotate, other.needs_rotation):
        with pytest.raises(DecryptionError, match="wrong key"):
            operation(token)


@pytest.mark.parametrize("token", ["", "not a token", "gAAAAAB" + "A" * 80, "é"])
def test_corrupted_ciphertext_raises_a_typed_error(token: str) -> None:
    with pytest.raises(DecryptionError):
        SecretBox([generate_key()]).decrypt(token)


def test_typed_decrypt_helpers_check_the_shape() -> None:
    box = SecretBox([generate_key()])
    assert box.decrypt_dict(box.encrypt(CREDENTIALS)) == CREDENTIALS
    with pytest.raises(DecryptionError, match="dict"):
        box.decrypt_dict(box.encrypt(REFRESH_TOKEN))
    with pytest.raises(DecryptionError, match="string"):
        box.decrypt_str(box.encrypt(CREDENTIALS))


def test_secret_string_is_derived_into_a_stable_key() -> None:
    token = SecretBox([PASSPHRASE]).encrypt(REFRESH_TOKEN)
    assert SecretBox([PASSPHRASE]).decrypt(token) == REFRESH_TOKEN
    assert SecretBox([derive_key(PASSPHRASE)]).decrypt(token) == REFRESH_TOKEN
    with pytest.raises(DecryptionError):
        SecretBox([PASSPHRASE + "x"]).decrypt(token)
    assert derive_key(PASSPHRASE) != PASSPHRASE


@pytest.mark.parametrize("keys", [[], ["too-short"], generate_key()])
def test_bad_key_configuration_is_refused(keys: list[str] | str) -> None:
    with pytest.raises(InvalidKeyError):
        SecretBox(keys)


def test_key_id_is_stable_and_not_the_key() -> None:
    key = generate_key()
    box = SecretBox([key, generate_key()])
    assert box.current_key_id == key_id(key)
    assert box.current_key_id not in key
    assert SecretBox([generate_key()]).current_key_id != box.current_key_id


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "c2lnbmF0"),
        ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "eyJzdWIiOiJ4In0"),
        ("POST /oauth refresh_token=rt-abc123&grant_type=refresh_token", "rt-abc123"),
        ('{"client_secret": "s3cr3t Value!", "client_id": "x"}', "s3cr3t"),
        ("{'password': 'hunter2'}", "hunter2"),
        ("GET /employees?api_key=K-998877&page=2", "K-998877"),
        ("X-Api-Key: K-998877", "K-998877"),
        ("connecting to postgresql://rm:pg-pass-1@db:5432/rm", "pg-pass-1"),
        ("Authorization: Basic YWxpY2U6c2VjcmV0", "YWxpY2U6c2VjcmV0"),
        ("stored gAAAAABmZ2hpamtsbW5vcHFyc3R1dnd4eXo", "gAAAAABmZ2hp"),
    ],
)
def test_redact_masks_credentials(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert "[REDACTED]" in redacted


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "synced 42 employees for tenant acme; tokens=5 page=2"
    assert redact(text) == text


@pytest.fixture
def captured_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing to a string through a handler with redaction installed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.crypto.redaction")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    install_log_redaction(logger)
    yield logger, stream
    logger.removeHandler(handler)


def test_log_filter_masks_messages_arguments_and_tracebacks(
    captured_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured_log
    logger.warning("refresh failed for %s", {"refresh_token": REFRESH_TOKEN})
    logger.info("calling HRIS with Authorization: Bearer %s", "abc.def.ghi-secret")
    try:
        raise RuntimeError(f"login failed password={PASSPHRASE.split()[0]}x")
    except RuntimeError:
        logger.exception("sync crashed")
    output = stream.getvalue()
    assert REFRESH_TOKEN not in output
    assert "ghi-secret" not in output
    assert "correctx" not in output
    assert output.count("[REDACTED]") == 4
    assert "RuntimeError" in output


def test_filter_is_installed_once_per_handler(
    captured_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, _stream = captured_log
    install_log_redaction(logger)
    (handler,) = [
        h for h in logger.handlers if isinstance(h, logging.StreamHandler) and h.stream is _stream
    ]
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1

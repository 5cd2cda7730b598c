"""Secrets at rest (Fernet with key rotation) and redaction of credentials in logs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from cryptography.fernet import InvalidToken as FernetInvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LENGTH = 32
HKDF_SALT = b"rm-graphql/secret-box"
HKDF_INFO = b"fernet-key/v1"
REDACTED = "[REDACTED]"

SecretValue = dict[str, Any] | str


class SecretBoxError(Exception):
    """Base error for secrets at rest."""


class InvalidKeyError(SecretBoxError):
    """A configured key is neither a Fernet key nor a long enough secret."""


class DecryptionError(SecretBoxError):
    """No configured key can decrypt this value (wrong key, or the data is corrupted)."""


def generate_key() -> str:
    """Return a new random Fernet key (url-safe base64, 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


def derive_key(secret: str) -> str:
    """Derive a Fernet key from a long random secret string with HKDF-SHA256."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidKeyError(f"a secret used as key needs at least {MIN_SECRET_LENGTH} chars")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode("utf-8"))).decode("ascii")


def key_from_config(value: str) -> str:
    """Use `value` as a Fernet key if it is one, else derive a key from it."""
    try:
        if len(base64.urlsafe_b64decode(value.encode("ascii"))) == 32:
            return value
    except (binascii.Error, UnicodeEncodeError, ValueError):
        pass
    return derive_key(value)


def key_id(key: str) -> str:
    """Return a short, non-secret fingerprint of a key for logs and metrics."""
    return hashlib.sha256(b"rm-graphql key id:" + key.encode("ascii")).hexdigest()[:12]


class SecretBox:
    """Encrypts with the first key; decrypts with any key (the rest are old ones)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if isinstance(keys, str) or not keys:
            raise InvalidKeyError("SecretBox needs a non-empty list of keys")
        fernet_keys = [key_from_config(key) for key in keys]
        self.current_key_id = key_id(fernet_keys[0])
        self._current = Fernet(fernet_keys[0])
        self._all = MultiFernet([Fernet(key) for key in fernet_keys])

    def encrypt(self, value: SecretValue) -> str:
        """Encrypt a string or a JSON-serialisable dict under the current key."""
        if not isinstance(value, dict | str):
            raise TypeError("only a str or a dict can be encrypted")
        plaintext = json.dumps({"v": value}, separators=(",", ":")).encode("utf-8")
        return self._all.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str) -> SecretValue:
        """Decrypt a value written by `encrypt` with the current or an old key."""
        envelope = json.loads(self._open(token))
        value = envelope.get("v") if isinstance(envelope, dict) else None
        if not isinstance(value, dict | str):
            raise DecryptionError("decrypted value has an unexpected shape")
        return value

    def decrypt_dict(self, token: str) -> dict[str, Any]:
        """Decrypt a value that must be a dict (e.g. HRIS credentials)."""
        value = self.decrypt(token)
        if not isinstance(value, dict):
            raise DecryptionError("expected an encrypted dict")
        return value

    def decrypt_str(self, token: str) -> str:
        """Decrypt a value that must be a string (e.g. a refresh token)."""
        value = self.decrypt(token)
        if not isinstance(value, str):
            raise DecryptionError("expected an encrypted string")
        return value

    def needs_rotation(self, token: str) -> bool:
        """True if only an old key can read `token`; DecryptionError if no key can."""
        try:
            self._current.decrypt(token.encode("ascii"))
        except (FernetInvalidToken, UnicodeEncodeError):
            self._open(token)
            return True
        return False

    def rotate(self, token: str) -> str:
        """Re-encrypt `token` under the current key (no-op for the plaintext)."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (FernetInvalidToken, UnicodeEncodeError) as error:
            raise DecryptionError(DecryptionError.__doc__ or "") from error

    def _open(self, token: str) -> bytes:
        """Decrypt to bytes, mapping every failure to DecryptionError."""
        try:
            return self._all.decrypt(token.encode("ascii"))
        except (FernetInvalidToken, UnicodeEncodeError, AttributeError) as error:
            raise DecryptionError(DecryptionError.__doc__ or "") from error


_SENSITIVE_FIELD = (
    r"[\w-]*(?:password|passwd|pwd|secret|api[_-]?key|apikey|token|authorization"
    r"|private[_-]?key|credentials?)"
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*"), rf"\1 {REDACTED}"),
    (re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"), REDACTED),
    (re.compile(r"\bgAAAAA[\w-]{20,}={0,2}"), REDACTED),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@"), rf"\1{REDACTED}@"),
]
_KEY_VALUE = re.compile(
    rf"""(?ix)
    (?P<name>["']?{_SENSITIVE_FIELD}["']?\s*[:=]\s*)
    (?!(?:bearer|basic)\s|{re.escape(REDACTED)})
    (?P<value>"[^"]*"|'[^']*'|[^"'\s,;&}})\]]+)
    """
)


def _mask_value(match: re.Match[str]) -> str:
    """Replace the value of a secret-looking key, keeping its quotes."""
    value = match.group("value")
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group('name')}{quote}{REDACTED}{quote}"


def redact(text: str) -> str:
    """Mask bearer/basic credentials, JWTs, URL passwords and secret-named values."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _KEY_VALUE.sub(_mask_value, text)


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the message, its arguments and any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = record.exc_text or logging.Formatter().formatException(
                record.exc_info
            )
            record.exc_info = None  # formatters then print only the redacted exc_text
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach one RedactingFilter to every handler of `logger` (default: root)."""
    target = logger or logging.getLogger()
    redacting_filter = RedactingFilter()
    for handler in target.handlers:
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(redacting_filter)
    return redacting_filter

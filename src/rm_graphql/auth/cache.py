"""A bounded cache of verified bearer tokens, so a repeated token skips the signature check."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from rm_graphql.auth.principal import Principal

DEFAULT_MAX_ENTRIES = 4096


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    valid_until: float


class VerifiedTokenCache:
    """An LRU of the principals of tokens that passed every check, each kept until a deadline.

    Entries are keyed by the SHA-256 of the token, never the token itself. Only successes go
    in, so a flood of bad tokens cannot push good ones out. No method awaits, so asyncio tasks
    on one event loop cannot interleave inside it; it is not meant to be shared across threads.
    """

    def __init__(self, max_age_seconds: float, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_age_seconds <= 0 or max_entries <= 0:
            raise ValueError("max_age_seconds and max_entries must be positive")
        self.max_age_seconds = max_age_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._key_set_version: int | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, *, now: float, key_set_version: int) -> Principal | None:
        """Return the cached principal if it is still valid at `now` under these keys."""
        self._follow_key_set(key_set_version)
        digest = _digest(token)
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if now >= entry.valid_until:
            del self._entries[digest]
            return None
        self._entries.move_to_end(digest)
        return entry.principal

    def put(
        self,
        token: str,
        principal: Principal,
        *,
        now: float,
        expires_at: float,
        key_set_version: int,
    ) -> None:
        """Remember a verified token until `expires_at` or the maximum age, whichever is first.

        A token verified under keys that have since changed is not remembered: the key that
        signed it may be the one just withdrawn.
        """
        valid_until = min(expires_at, now + self.max_age_seconds)
        if valid_until <= now or key_set_version != self._key_set_version:
            return
        digest = _digest(token)
        self._entries[digest] = _Entry(principal, valid_until)
        self._entries.move_to_end(digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()

    def _follow_key_set(self, key_set_version: int) -> None:
        """Drop everything when the key source reports that a trusted key was withdrawn."""
        if key_set_version != self._key_set_version:
            self._entries.clear()
            self._key_set_version = key_set_version


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

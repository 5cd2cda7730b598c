"""Signatures a receiver can verify: HMAC-SHA256 over `timestamp.body`, fresh timestamps only."""

from __future__ import annotations

import hashlib
import hmac

from rm_graphql.webhooks.service import sign, verify_signature

SECRET = "whsec-test-0123456789abcdef"
BODY = b'{"data":{"pair_id":7},"event":"pair.published","id":1}'
NOW = 1_800_000_000


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, str(NOW), BODY) == f"v1={expected}"


def test_a_fresh_correct_signature_verifies() -> None:
    signature = sign(SECRET, str(NOW), BODY)
    assert verify_signature(SECRET, str(NOW), BODY, signature, now=NOW + 10)


def test_any_listed_signature_may_match_during_secret_rotation() -> None:
    header = f"{sign('old-secret-0123456789', str(NOW), BODY)}, {sign(SECRET, str(NOW), BODY)}"
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW)


def test_tampering_or_the_wrong_secret_fails() -> None:
    signature = sign(SECRET, str(NOW), BODY)
    assert not verify_signature(SECRET, str(NOW), BODY + b" ", signature, now=NOW)
    assert not verify_signature("another-secret-0123456", str(NOW), BODY, signature, now=NOW)
    assert not verify_signature(SECRET, str(NOW + 1), BODY, signature, now=NOW)


def test_replays_outside_the_tolerance_fail() -> None:
    signature = sign(SECRET, str(NOW), BODY)
    assert not verify_signature(SECRET, str(NOW), BODY, signature, now=NOW + 301)
    assert not verify_signature(SECRET, "not-a-time", BODY, signature, now=NOW)

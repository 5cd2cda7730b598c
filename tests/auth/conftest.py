"""Session keys shared by the auth tests."""

from __future__ import annotations

import pytest
from joserfc.jwk import ECKey, RSAKey

from .helpers import new_rsa_key


@pytest.fixture(scope="session")
def rsa_key() -> RSAKey:
    """The identity provider's main RSA key."""
    return new_rsa_key("idp-rsa-1")


@pytest.fixture(scope="session")
def ec_key() -> ECKey:
    """The identity provider's EC key."""
    return ECKey.generate_key("P-256", parameters={"kid": "idp-ec-1", "use": "sig"})


@pytest.fixture(scope="session")
def attacker_key() -> RSAKey:
    """A key the identity provider never published."""
    return new_rsa_key("attacker")

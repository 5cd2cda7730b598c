"""Identity and access: bearer token validation, the principal and its scopes."""

from rm_graphql.auth.cache import VerifiedTokenCache
from rm_graphql.auth.jwks import (
    KeyNotFound,
    KeySource,
    KeySourceUnavailable,
    RemoteJWKSKeySource,
    StaticKeySource,
)
from rm_graphql.auth.middleware import BearerAuthMiddleware, principal_from_scope
from rm_graphql.auth.principal import ClaimNames, Principal, Scope
from rm_graphql.auth.tokens import (
    DEFAULT_ALGORITHMS,
    DEV_KEY_ID,
    InvalidToken,
    TokenValidator,
    TokenValidatorConfig,
)

__all__ = [
    "DEFAULT_ALGORITHMS",
    "DEV_KEY_ID",
    "BearerAuthMiddleware",
    "ClaimNames",
    "InvalidToken",
    "KeyNotFound",
    "KeySource",
    "KeySourceUnavailable",
    "Principal",
    "RemoteJWKSKeySource",
    "Scope",
    "StaticKeySource",
    "TokenValidator",
    "TokenValidatorConfig",
    "VerifiedTokenCache",
    "principal_from_scope",
]

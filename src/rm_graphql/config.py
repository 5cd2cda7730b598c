"""One Settings object, read from RM_* environment variables, that fails fast on bad config."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET = "dev-insecure-secret-change-me-before-production"  # noqa: S105 - the known value production refuses
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/rm-graphql.db"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ConfigError(Exception):
    """A bad setting, reported as one line that names the RM_ variable."""


def normalise_database_url(url: str) -> str:
    """Pick our async drivers for plain URLs an IT admin is likely to paste."""
    for plain, driver in (
        ("postgres://", "postgresql+psycopg://"),
        ("postgresql://", "postgresql+psycopg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="RM_", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    env: Environment = Environment.DEVELOPMENT
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    var_dir: Path = Path("var")
    # Secrets at rest: comma-separated keys, newest first; old keys stay readable for rotation.
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    # Serve the API as an Apollo Federation 2 subgraph (Employee and Program as entities).
    federation: bool = False
    # Bearer tokens (OAuth 2.0 JWTs from the host's issuer).
    auth_issuer: str | None = None
    auth_audience: str = "rm-graphql"
    auth_jwks_url: str | None = None
    auth_public_key: SecretStr | None = None
    auth_algorithms: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["RS256", "ES256", "PS256", "EdDSA"]
    )
    auth_leeway_seconds: int = Field(default=60, ge=0, le=300)
    auth_tenant_claim: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["tenant"])
    auth_subject_claim: str = "sub"
    auth_email_claim: str = "email"
    auth_scope_claim: str = "scope"
    # Remember verified tokens this long (capped by their exp) to skip signature checks; 0 = off.
    auth_token_cache_seconds: int = Field(default=60, ge=0, le=3600)
    # Outbound webhooks to loopback, private or link-local addresses; unset: only outside
    # production (see rm_graphql.webhooks.egress).
    webhook_allow_private_addresses: bool | None = None

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        url = normalise_database_url(value)
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return url

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("auth_algorithms", "auth_tenant_claim", mode="before")
    @classmethod
    def _split_words(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(" ", ",").split(",") if part.strip()]
        return value

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> Self:
        if self.env is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret == DEVELOPMENT_SECRET or len(secret) < 32:
                raise ValueError(
                    "RM_SECRET_KEY: production needs a secret of at least 32 characters, "
                    "not the development default"
                )
            if not self.encryption_keys:
                raise ValueError(
                    "RM_ENCRYPTION_KEYS: production needs a key to encrypt HRIS credentials at rest"
                )
            if not (self.auth_jwks_url or self.auth_public_key) or not self.auth_issuer:
                raise ValueError(
                    "RM_AUTH_JWKS_URL: production needs RM_AUTH_ISSUER and a JWKS URL "
                    "(or RM_AUTH_PUBLIC_KEY) to verify bearer tokens"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def webhooks_reach_private_addresses(self) -> bool:
        if self.webhook_allow_private_addresses is None:
            return not self.is_production
        return self.webhook_allow_private_addresses


def describe_error(error: ValidationError) -> str:
    """Turn pydantic's report into one line naming the first bad RM_ variable."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["loc"]:
        return f"RM_{str(first['loc'][0]).upper()}: {message}"
    return message


def load_settings(**overrides: object) -> Settings:
    """Read the environment (plus overrides) or raise ConfigError with a one-line message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError(describe_error(error)) from None

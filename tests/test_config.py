"""Settings fail fast with one line that names the variable."""

from __future__ import annotations

import pytest

from rm_graphql.config import ConfigError, Environment, load_settings


def test_defaults_are_embedded_sqlite_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RM_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == "sqlite+aiosqlite:///./var/rm-graphql.db"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("RM_PORT", "eighty", "RM_PORT"),
        ("RM_PORT", "70000", "RM_PORT"),
        ("RM_DATABASE_URL", "mysql://db/rm", "RM_DATABASE_URL"),
        ("RM_LOG_LEVEL", "LOUD", "RM_LOG_LEVEL"),
        ("RM_ENV", "staging", "RM_ENV"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(named + ":")
    assert "\n" not in message


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RM_ENV", "production")
    with pytest.raises(ConfigError, match="RM_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("RM_SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="RM_ENCRYPTION_KEYS"):
        load_settings()
    monkeypatch.setenv("RM_ENCRYPTION_KEYS", "k" * 40)
    with pytest.raises(ConfigError, match="RM_AUTH_JWKS_URL"):
        load_settings()
    monkeypatch.setenv("RM_AUTH_ISSUER", "https://id.example.com/")
    monkeypatch.setenv("RM_AUTH_JWKS_URL", "https://id.example.com/jwks.json")
    assert load_settings().is_production


def test_plain_urls_get_our_drivers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RM_DATABASE_URL", "postgres://app@db:5432/rm")
    assert load_settings().database_url == "postgresql+psycopg://app@db:5432/rm"

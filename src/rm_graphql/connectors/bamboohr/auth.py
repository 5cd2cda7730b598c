"""BambooHR credentials: an API key (HTTP Basic) or OAuth 2.0 authorization code."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from rm_graphql.connectors.base import ConfigurationError, TokenStore
from rm_graphql.connectors.http import HttpOptions, build_client
from rm_graphql.connectors.oauth import ApiSession, OAuthClientConfig, OAuthSession, StaticSession

DEFAULT_SCOPES = "openid offline_access employee employee:job employee:management report field"


@dataclass(frozen=True, slots=True)
class BambooHRConfig:
    """Where and how to reach one BambooHR company.

    `api_base` ends in /v1: either https://api.bamboohr.com/api/gateway.php/{co}/v1
    (classic) or https://{co}.bamboohr.com/api/v1 (current).
    """

    api_base: str
    api_key: str | None = None
    oauth: OAuthClientConfig | None = None

    @classmethod
    def for_company(
        cls,
        company: str,
        *,
        classic: bool = False,
        api_key: str | None = None,
        oauth: OAuthClientConfig | None = None,
    ) -> BambooHRConfig:
        """The public BambooHR URLs for a company subdomain."""
        if classic:
            return cls(f"https://api.bamboohr.com/api/gateway.php/{company}/v1", api_key, oauth)
        return cls(f"https://{company}.bamboohr.com/api/v1", api_key, oauth)


def bamboohr_oauth_client(
    site_url: str,
    client_id: str,
    client_secret: str,
    *,
    redirect_uri: str,
    scope: str = DEFAULT_SCOPES,
) -> OAuthClientConfig:
    """OAuth endpoints under a company site URL such as https://{co}.bamboohr.com."""
    site = site_url.rstrip("/")
    return OAuthClientConfig(
        client_id=client_id,
        client_secret=client_secret,
        token_url=f"{site}/token.php?request=token",
        authorize_url=f"{site}/authorize.php?request=authorize",
        redirect_uri=redirect_uri,
        scope=scope,
        auth_method="client_secret_post",
        pkce=True,
    )


def open_session(
    config: BambooHRConfig, options: HttpOptions, token_store: TokenStore | None
) -> ApiSession:
    """A session for the configured credentials; exactly one kind must be set."""
    if (config.api_key is None) == (config.oauth is None):
        raise ConfigurationError("BambooHR needs exactly one of api_key or oauth")
    if config.api_key is not None:
        auth = httpx.BasicAuth(config.api_key, "x")
        return StaticSession(build_client(options, base_url=config.api_base, auth=auth))
    assert config.oauth is not None
    if token_store is None:
        raise ConfigurationError("BambooHR OAuth needs a token store")
    return OAuthSession(config.oauth, token_store, options, base_url=config.api_base)

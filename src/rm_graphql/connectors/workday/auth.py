"""Workday API client credentials: OAuth 2.0 refresh-token grant per tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rm_graphql.connectors.base import ConfigurationError, TokenStore
from rm_graphql.connectors.http import HttpOptions
from rm_graphql.connectors.oauth import OAuthClientConfig, OAuthSession

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class WorkdayConfig:
    """One Workday tenant.

    `api_version` is the path between /ccx/api/ and the tenant ("v1", "common/v1",
    "staffing/v6"). `refresh_token` seeds an empty token store (Workday admins issue
    it when they register the API client). Set `report_owner` and `report_name` to
    read a RaaS report instead of the REST workers endpoint.
    """

    host_url: str
    tenant: str
    client_id: str
    client_secret: str
    refresh_token: str | None = None
    api_version: str = "v1"
    page_size: int = MAX_PAGE_SIZE
    view: str = "workerProfile"
    report_owner: str | None = None
    report_name: str | None = None
    auth_method: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ConfigurationError(f"Workday page_size must be 1..{MAX_PAGE_SIZE}")
        if (self.report_owner is None) != (self.report_name is None):
            raise ConfigurationError("set both report_owner and report_name, or neither")

    @property
    def uses_report(self) -> bool:
        """True when the source is a RaaS report."""
        return self.report_name is not None

    @property
    def token_url(self) -> str:
        return f"{self.host_url.rstrip('/')}/ccx/oauth2/{self.tenant}/token"

    @property
    def workers_path(self) -> str:
        return f"/ccx/api/{self.api_version.strip('/')}/{self.tenant}/workers"

    @property
    def report_path(self) -> str:
        return f"/ccx/service/customreport2/{self.tenant}/{self.report_owner}/{self.report_name}"


def open_session(
    config: WorkdayConfig, options: HttpOptions, token_store: TokenStore
) -> OAuthSession:
    """An OAuth session whose first request redeems the refresh token."""
    client = OAuthClientConfig(
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_url=config.token_url,
        auth_method=config.auth_method,
    )
    return OAuthSession(
        client,
        token_store,
        options,
        base_url=config.host_url,
        initial_refresh_token=config.refresh_token,
    )

"""From a connection's kind, base URL, options and credentials to a ready connector."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rm_graphql.connectors import (
    ConfigurationError,
    Connector,
    HttpOptions,
    MappingProfile,
    RetryPolicy,
    TokenStore,
    load_profile_file,
)
from rm_graphql.connectors.bamboohr import BambooHRConfig, BambooHRConnector, bamboohr_oauth_client
from rm_graphql.connectors.csv import CSVConfig, CSVConnector
from rm_graphql.connectors.scim import SCIMConfig, SCIMConnector
from rm_graphql.connectors.workday import WorkdayConfig, WorkdayConnector
from rm_graphql.errors import FieldProblem
from rm_graphql.models.enums import ConnectionKind

SOURCES = {
    ConnectionKind.BAMBOOHR: "bamboohr",
    ConnectionKind.WORKDAY: "workday",
    ConnectionKind.SCIM: "scim",
    ConnectionKind.CSV: "csv",
}
BAMBOOHR_API = "https://api.bamboohr.com"
# The key under which the DB token store keeps OAuth tokens inside the credentials.
TOKEN_KEY = "oauth_token"  # noqa: S105 - a dict key, not a secret
NUMBER_OPTIONS = ("timeout", "retry_base_delay", "retry_max_delay")
INTEGER_OPTIONS = ("retry_attempts", "page_size")


@dataclass(frozen=True)
class SourceConfig:
    """Everything needed to reach one HRIS; credentials stay in memory only."""

    kind: ConnectionKind
    base_url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def source(self) -> str:
        return SOURCES[self.kind]


def problems(config: SourceConfig) -> list[FieldProblem]:
    """What is missing or malformed, per input field (empty when the config is usable)."""
    found: list[FieldProblem] = []
    if config.base_url is not None and urlparse(config.base_url).scheme not in ("http", "https"):
        found.append(FieldProblem(("baseUrl",), "must be an http(s) URL"))
    if config.kind in (ConnectionKind.WORKDAY, ConnectionKind.SCIM) and not config.base_url:
        found.append(FieldProblem(("baseUrl",), f"{config.kind.value} needs a base URL"))
    for name in _required_options(config):
        if not isinstance(config.options.get(name), str) or not config.options[name]:
            found.append(FieldProblem(("options", name), "is required"))
    for name in _required_credentials(config):
        if not config.credentials.get(name):
            found.append(FieldProblem(("credentials", name), "is required"))
    found.extend(_option_types(config.options))
    return found


def _required_options(config: SourceConfig) -> list[str]:
    if config.kind is ConnectionKind.BAMBOOHR and not _is_api_base(config.base_url):
        return ["company"]
    return {ConnectionKind.WORKDAY: ["tenant"], ConnectionKind.CSV: ["path"]}.get(config.kind, [])


def _required_credentials(config: SourceConfig) -> list[str]:
    credentials = config.credentials
    if config.kind is ConnectionKind.BAMBOOHR:
        return ["client_id", "client_secret"] if "client_id" in credentials else ["api_key"]
    if config.kind is ConnectionKind.WORKDAY:
        token = [] if TOKEN_KEY in credentials else ["refresh_token"]
        return ["client_id", "client_secret", *token]
    return ["token"] if config.kind is ConnectionKind.SCIM else []


def _option_types(options: Mapping[str, Any]) -> list[FieldProblem]:
    found = []
    for name in NUMBER_OPTIONS + INTEGER_OPTIONS:
        value = options.get(name)
        wanted = int if name in INTEGER_OPTIONS else int | float
        if value is not None and (not isinstance(value, wanted) or isinstance(value, bool)):
            found.append(FieldProblem(("options", name), "must be a number"))
        elif value is not None and value <= 0:
            found.append(FieldProblem(("options", name), "must be positive"))
    return found


def _is_api_base(base_url: str | None) -> bool:
    return bool(base_url) and str(base_url).rstrip("/").endswith("/v1")


def http_options(options: Mapping[str, Any]) -> HttpOptions:
    """Timeouts and retry budget, overridable per connection."""
    defaults = RetryPolicy()
    retry = RetryPolicy(
        attempts=int(options.get("retry_attempts", defaults.attempts)),
        base_delay=float(options.get("retry_base_delay", defaults.base_delay)),
        max_delay=float(options.get("retry_max_delay", defaults.max_delay)),
    )
    return HttpOptions(timeout=float(options.get("timeout", 30.0)), retry=retry)


def build_connector(config: SourceConfig, token_store: TokenStore | None = None) -> Connector:
    """A connector for the config; a bad config raises ConfigurationError (the run fails)."""
    wrong = problems(config)
    if wrong:
        raise ConfigurationError(
            "; ".join(f"{'.'.join(problem.path)}: {problem.message}" for problem in wrong)
        )
    return _BUILDERS[config.kind](config, http_options(config.options), token_store)


def _profile(config: SourceConfig, variant: str | None = None) -> MappingProfile | None:
    """A mapping profile file named in the options, else the connector's default lookup."""
    path = config.options.get("mapping_profile")
    return load_profile_file(Path(path), variant=variant) if path else None


def _bamboohr(config: SourceConfig, http: HttpOptions, store: TokenStore | None) -> Connector:
    base_url = config.base_url or BAMBOOHR_API
    if _is_api_base(base_url):
        api_base = base_url.rstrip("/")
    else:
        api_base = f"{base_url.rstrip('/')}/api/gateway.php/{config.options['company']}/v1"
    credentials = config.credentials
    if "api_key" in credentials:
        settings = BambooHRConfig(api_base, api_key=str(credentials["api_key"]))
    else:
        oauth = bamboohr_oauth_client(
            str(config.options.get("site_url") or base_url),
            str(credentials["client_id"]),
            str(credentials["client_secret"]),
            redirect_uri=str(config.options.get("redirect_uri", "")),
        )
        settings = BambooHRConfig(api_base, oauth=oauth)
    return BambooHRConnector(settings, profile=_profile(config), token_store=store, options=http)


def _workday(config: SourceConfig, http: HttpOptions, store: TokenStore | None) -> Connector:
    options, credentials = config.options, config.credentials
    settings = WorkdayConfig(
        host_url=str(config.base_url),
        tenant=str(options["tenant"]),
        client_id=str(credentials["client_id"]),
        client_secret=str(credentials["client_secret"]),
        refresh_token=credentials.get("refresh_token"),
        api_version=str(options.get("api_version", "v1")),
        page_size=int(options.get("page_size", 100)),
        view=str(options.get("view", "workerProfile")),
        report_owner=options.get("report_owner"),
        report_name=options.get("report_name"),
    )
    variant = "raas" if settings.uses_report else None
    profile = _profile(config, variant)
    return WorkdayConnector(settings, profile=profile, token_store=store, options=http)


def _scim(config: SourceConfig, http: HttpOptions, _store: TokenStore | None) -> Connector:
    page_size = int(config.options.get("page_size", 100))
    settings = SCIMConfig(str(config.base_url), str(config.credentials["token"]), page_size)
    return SCIMConnector(settings, profile=_profile(config), options=http)


def _csv(config: SourceConfig, _http: HttpOptions, _store: TokenStore | None) -> Connector:
    options = config.options
    settings = CSVConfig(
        Path(options["path"]),
        delimiter=str(options.get("delimiter", ",")),
        encoding=str(options.get("encoding", "utf-8-sig")),
    )
    return CSVConnector(settings, profile=_profile(config))


_BUILDERS: dict[
    ConnectionKind, Callable[[SourceConfig, HttpOptions, TokenStore | None], Connector]
] = {
    ConnectionKind.BAMBOOHR: _bamboohr,
    ConnectionKind.WORKDAY: _workday,
    ConnectionKind.SCIM: _scim,
    ConnectionKind.CSV: _csv,
}

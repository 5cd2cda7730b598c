"""HRIS connectors: plain employee records from BambooHR, Workday, SCIM 2.0 and CSV files."""

from rm_graphql.connectors.base import (
    AuthenticationError,
    ConfigurationError,
    Connector,
    ConnectorError,
    EmployeeRecord,
    EmployeeStatus,
    FetchPage,
    FieldMismatchError,
    InMemoryTokenStore,
    InvalidRecord,
    PagingInconsistencyError,
    PermissionDeniedError,
    RateLimitedError,
    ReconnectRequired,
    SourceFormatError,
    SourceUnavailableError,
    TokenStore,
    UnexpectedResponseError,
)
from rm_graphql.connectors.http import HttpOptions, RetryPolicy
from rm_graphql.connectors.mapping import MappingProfile, load_profile, load_profile_file
from rm_graphql.connectors.oauth import OAuthClientConfig

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "Connector",
    "ConnectorError",
    "EmployeeRecord",
    "EmployeeStatus",
    "FetchPage",
    "FieldMismatchError",
    "HttpOptions",
    "InMemoryTokenStore",
    "InvalidRecord",
    "MappingProfile",
    "OAuthClientConfig",
    "PagingInconsistencyError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ReconnectRequired",
    "RetryPolicy",
    "SourceFormatError",
    "SourceUnavailableError",
    "TokenStore",
    "UnexpectedResponseError",
    "load_profile",
    "load_profile_file",
]

"""BambooHR: API key or OAuth 2.0; custom reports and the changed-since feed."""

from rm_graphql.connectors.bamboohr.auth import BambooHRConfig, bamboohr_oauth_client
from rm_graphql.connectors.bamboohr.client import BambooHRConnector

__all__ = ["BambooHRConfig", "BambooHRConnector", "bamboohr_oauth_client"]

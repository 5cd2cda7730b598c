"""Workday: OAuth 2.0 refresh-token grant; REST workers or RaaS reports."""

from rm_graphql.connectors.workday.auth import WorkdayConfig
from rm_graphql.connectors.workday.client import WorkdayConnector

__all__ = ["WorkdayConfig", "WorkdayConnector"]

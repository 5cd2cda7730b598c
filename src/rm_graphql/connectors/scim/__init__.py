"""SCIM 2.0 service providers (Users with the enterprise extension)."""

from rm_graphql.connectors.scim.client import SCIMConfig, SCIMConnector

__all__ = ["SCIMConfig", "SCIMConnector"]

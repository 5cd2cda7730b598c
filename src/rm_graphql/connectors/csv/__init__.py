"""CSV exports with a header row."""

from rm_graphql.connectors.csv.client import CSVConfig, CSVConnector

__all__ = ["CSVConfig", "CSVConnector"]

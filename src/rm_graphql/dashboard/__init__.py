"""The KPI dashboard: server-rendered HTML and inline SVG charts, behind the API's tokens."""

from rm_graphql.dashboard.auth import BrowserTokenBridge
from rm_graphql.dashboard.routes import dashboard_routes, install_dashboard

__all__ = ["BrowserTokenBridge", "dashboard_routes", "install_dashboard"]

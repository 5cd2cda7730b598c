"""The ASGI app the benchmark serves: `uvicorn bench.kpis.app:create --factory`.

The production web process (no job worker inside) with the dashboard installed.
"""

from __future__ import annotations

from starlette.applications import Starlette

from rm_graphql.app import create_app
from rm_graphql.config import load_settings
from rm_graphql.dashboard import install_dashboard


def create() -> Starlette:
    settings = load_settings()
    app = create_app(settings, run_worker=False)
    install_dashboard(app, app.state.database, settings)
    return app

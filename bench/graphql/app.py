"""The ASGI app the benchmark serves: `uvicorn bench.graphql.app:create --factory`."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.routing import Route

from rm_graphql.app import create_app
from rm_graphql.graphql.view import GraphQLView


def create() -> Starlette:
    """The production app; RM_BENCH_FAST_PATH=0 turns the compiled read path off to compare."""
    app = create_app()
    if os.environ.get("RM_BENCH_FAST_PATH") == "0":
        for route in app.routes:
            if isinstance(route, Route) and isinstance(route.endpoint, GraphQLView):
                route.endpoint.fast_path = None
    return app

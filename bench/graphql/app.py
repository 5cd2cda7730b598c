"""The ASGI app the benchmark serves: `uvicorn bench.graphql.app:create --factory`.

A web process as production runs it: no job worker inside (RM_WORKER_IN_PROCESS=false), the
garbage collector tuned after start-up. RM_BENCH_FAST_PATH=0 turns the compiled read path off
and RM_BENCH_GC=0 leaves the collector alone, to measure each lever.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.routing import Route

from rm_graphql.app import create_app
from rm_graphql.graphql.fastpath.runtime import tune_gc
from rm_graphql.graphql.view import GraphQLView


def create() -> Starlette:
    app = create_app(run_worker=False)
    if os.environ.get("RM_BENCH_FAST_PATH") == "0":
        for route in app.routes:
            if isinstance(route, Route) and isinstance(route.endpoint, GraphQLView):
                route.endpoint.fast_path = None
    if os.environ.get("RM_BENCH_GC") != "0":
        tune_gc()
    return app

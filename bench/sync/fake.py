"""The fake BambooHR in a process of its own, with a control route to move time on.

`python -m bench.sync.fake --employees N --port P` serves it until killed. POST
/_bench/advance?days=D applies joiners, leavers and updates; GET /_bench/warm builds the
cached report of the current generation so timings never include the fake's own work.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from rm_graphql.testing import FakeBambooHR, Organisation


def build(employees: int, seed: int) -> Starlette:
    fake = FakeBambooHR(Organisation(seed=seed, size=employees))

    async def advance(request: Request) -> JSONResponse:
        changes = fake.org.advance(days=int(request.query_params.get("days", "7")))
        counts = {name: len(getattr(changes, name)) for name in ("joined", "left", "updated")}
        return JSONResponse(
            {**counts, "deleted": len(changes.deleted), "now": fake.org.now.isoformat()}
        )

    async def warm(_request: Request) -> JSONResponse:
        return JSONResponse({"employees": len(fake.views())})

    routes = [
        Route("/_bench/advance", advance, methods=["POST"]),
        Route("/_bench/warm", warm),
        Mount("/", app=fake.app),
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    app = build(args.employees, args.seed)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

"""Build a fake HRIS by name and serve it in the foreground (the `fake-hris` CLI command)."""

from __future__ import annotations

import uvicorn

from rm_graphql.testing.bamboohr import FakeBambooHR
from rm_graphql.testing.common import FakeHRIS
from rm_graphql.testing.org import Organisation
from rm_graphql.testing.scim import FakeSCIM
from rm_graphql.testing.workday import FakeWorkday

KINDS = ("bamboohr", "workday", "scim")


def build_fake(kind: str, *, employees: int = 200, seed: int = 7) -> FakeHRIS:
    """A fake server of the given kind over a fresh deterministic organisation."""
    org = Organisation(seed=seed, size=employees)
    if kind == "bamboohr":
        return FakeBambooHR(org)
    if kind == "workday":
        return FakeWorkday(org)
    if kind == "scim":
        return FakeSCIM(org)
    raise ValueError(f"unknown fake HRIS {kind!r}; choose one of {', '.join(KINDS)}")


def serve_fake(
    kind: str, employees: int, port: int, seed: int = 7, host: str = "127.0.0.1"
) -> None:
    """Serve a fake until Ctrl-C, after printing its base URL and credentials."""
    fake = build_fake(kind, employees=employees, seed=seed)
    base_url = f"http://{host}:{port}"
    print(f"fake {kind} with {employees} employees (seed {seed}) at {base_url}")
    for name, value in fake.credentials(base_url).items():
        print(f"  {name}: {value}")
    uvicorn.run(fake.app, host=host, port=port, log_level="warning", access_log=False)

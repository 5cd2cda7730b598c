"""Fake HRIS servers (real HTTP, OAuth, paging, faults) for tests, the demo and benchmarks.

with running_server(FakeBambooHR(Organisation(seed=1, size=500)).app) as base_url: ...
"""

from rm_graphql.testing.bamboohr import FakeBambooHR
from rm_graphql.testing.common import FakeHRIS
from rm_graphql.testing.faults import Faults
from rm_graphql.testing.launcher import KINDS, build_fake, serve_fake
from rm_graphql.testing.org import Changes, Organisation, Person
from rm_graphql.testing.scim import FakeSCIM
from rm_graphql.testing.server import running_server, running_server_async
from rm_graphql.testing.workday import FakeWorkday

__all__ = [
    "KINDS",
    "Changes",
    "FakeBambooHR",
    "FakeHRIS",
    "FakeSCIM",
    "FakeWorkday",
    "Faults",
    "Organisation",
    "Person",
    "build_fake",
    "running_server",
    "running_server_async",
    "serve_fake",
]

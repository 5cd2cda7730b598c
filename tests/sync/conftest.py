"""Fake HRIS servers on loopback for the sync tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rm_graphql.connectors.bamboohr import BambooHRConfig, BambooHRConnector
from rm_graphql.testing import FakeBambooHR, Organisation, running_server

from .support import FAST

Fake = tuple[FakeBambooHR, str]


@pytest.fixture
def org() -> Organisation:
    return Organisation(seed=5, size=120)


@pytest.fixture
def bamboo(org: Organisation) -> Iterator[Fake]:
    fake = FakeBambooHR(org)
    with running_server(fake.app) as base_url:
        yield fake, base_url


def bamboo_connector(bamboo: Fake) -> BambooHRConnector:
    """An API-key connector for the fake with tiny retry delays."""
    fake, base_url = bamboo
    credentials = fake.credentials(base_url)
    config = BambooHRConfig(credentials["api_base"], api_key=credentials["api_key"])
    return BambooHRConnector(config, options=FAST)

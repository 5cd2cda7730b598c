"""The real app with the dashboard installed, served on loopback over each test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rm_graphql.app import create_app
from rm_graphql.config import load_settings
from rm_graphql.dashboard import install_dashboard
from rm_graphql.testing.server import running_server
from tests.support.api import Api


@pytest.fixture(scope="session")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """`create_app` as served, plus `install_dashboard` exactly as the app factory calls it."""
    key_dir: Path = tmp_path_factory.mktemp("dashboard-keys")
    settings = load_settings(database_url=database_url, var_dir=key_dir)
    app = create_app(settings, run_worker=False)
    install_dashboard(app, app.state.database, settings)
    with running_server(app) as base_url:
        yield Api(base_url=base_url, key_dir=key_dir, app=app)

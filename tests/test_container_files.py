"""Cheap static checks of the container files; scripts/container-smoke builds and runs the image."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
SMOKE = ROOT / "scripts" / "container-smoke"
CONTAINER_FILES = [
    DOCKERFILE,
    ROOT / ".dockerignore",
    SMOKE,
    ROOT / "deploy" / "containers.conf",
    ROOT / "deploy" / "compose.yaml",
    ROOT / "deploy" / "example.env",
]


def instructions(path: Path) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per Dockerfile instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def final_stage() -> list[tuple[str, str]]:
    steps = instructions(DOCKERFILE)
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_the_base_image_is_a_build_argument_defaulting_to_python_slim() -> None:
    steps = instructions(DOCKERFILE)
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim")
    froms = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(froms) >= 2, "a multi-stage build"
    assert all(
        rest.startswith("${BASE_IMAGE}") or rest.split()[0] in {"deps", "wheel"} for rest in froms
    )


def test_the_build_installs_runtime_dependencies_only_and_not_editable() -> None:
    text = DOCKERFILE.read_text()
    assert "pip install -e" not in text
    assert "--editable" not in text
    assert not re.search(r"\.\[(dev|test)", text), "no test or dev extras in the image"
    # `python3 -m venv`, since the Debian base has no `python` command.
    assert "python3 -m venv /opt/venv" in text


def test_the_final_stage_runs_as_a_non_root_user() -> None:
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    if user.startswith("${"):
        name = user.strip("${}")
        assert re.search(rf"ARG {name}=([1-9]\d*)\b", DOCKERFILE.read_text())


def test_the_final_stage_has_a_python_healthcheck_on_healthz() -> None:
    checks = [rest for keyword, rest in final_stage() if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/healthz" in checks[0]
    assert "python3" in checks[0], "the image may have no curl"


def test_the_final_stage_migrates_then_serves_on_port_8000() -> None:
    stage = final_stage()
    assert ("EXPOSE", "8000") in stage
    assert ("CMD", '["rm-graphql", "serve", "--migrate"]') in stage
    env = " ".join(rest for keyword, rest in stage if keyword == "ENV")
    for setting in (
        "RM_HOST=0.0.0.0",
        "RM_VAR_DIR=/data",
        "RM_DATABASE_URL=sqlite:////data/",
        "RM_MIGRATIONS_DIR=/app/migrations",
    ):
        assert setting in env
    assert any(keyword == "VOLUME" and "/data" in rest for keyword, rest in stage)
    copies = [rest for keyword, rest in stage if keyword == "COPY"]
    assert "alembic.ini ./" in copies
    assert "migrations ./migrations" in copies


def test_the_build_context_holds_what_the_dockerfile_copies_and_nothing_else() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "an allowlist: .venv, var/ and .git stay out of the context"
    allowed = {pattern.removeprefix("!").rstrip("/") for pattern in patterns if pattern[0] == "!"}
    sources = [
        rest.split()[0]
        for keyword, rest in instructions(DOCKERFILE)
        if keyword == "COPY" and not rest.startswith("--from")
    ]
    for source in sources:
        assert source in allowed, f"COPY {source} is not in .dockerignore's allowlist"
        assert (ROOT / source).exists()
    # setuptools reads the readme named in pyproject.toml while building the wheel.
    readme = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["readme"]
    assert readme in allowed


def test_the_smoke_script_is_strict_bash_and_parses() -> None:
    text = SMOKE.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(SMOKE, os.X_OK), "scripts/container-smoke is executable"
    assert "trap cleanup EXIT" in text
    for check in ("/healthz", "/readyz", "apiVersion", "me { subject }", "healthcheck run"):
        assert check in text
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    subprocess.run([bash, "-n", str(SMOKE)], check=True)


def test_containers_conf_has_the_settings_podman_needs_here() -> None:
    conf = tomllib.loads((ROOT / "deploy" / "containers.conf").read_text())
    assert conf["containers"]["default_ulimits"] == []
    assert conf["engine"] == {
        "cgroup_manager": "cgroupfs",
        "events_logger": "file",
        "runtime": "runc",
    }


def test_the_compose_example_runs_rm_graphql_on_postgresql_15() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"].endswith("postgres:15")
    app = services["rm-graphql"]
    assert app["build"]["context"] == ".."
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    env = app["environment"]
    assert env["RM_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["RM_DATABASE_URL"]
    for production_setting in ("RM_SECRET_KEY", "RM_ENCRYPTION_KEYS", "RM_AUTH_ISSUER"):
        assert production_setting in env
    assert "RM_AUTH_JWKS_URL" in env or "RM_AUTH_PUBLIC_KEY" in env
    assert all(name.startswith("RM_") for name in env), "the service is configured by RM_* only"


@pytest.mark.parametrize("path", CONTAINER_FILES, ids=lambda path: path.name)
def test_no_machine_specific_paths(path: Path) -> None:
    text = path.read_text()
    for fragment in ("/work/", "/home/", "/root/", "/tmp/tmp"):
        assert fragment not in text, f"{path.name} mentions {fragment}"

"""The README's first command runs the whole demo; --no-serve ends after the summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_a_whole_program(tmp_path: Path) -> None:
    env = {**os.environ, "RM_VAR_DIR": str(tmp_path), "COLUMNS": "160"}
    env.pop("RM_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "rm_graphql.cli", "demo", "--no-serve", "--employees", "150"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Synced BambooHR: 150 created" in out
    assert "pairs published and accepted by both sides" in out
    assert "why they were matched" in out
    assert "gap 0.0 (OPTIMAL)" in out
    assert "Program KPIs after six weeks" in out
    assert "Satisfaction (1-5)" in out
    assert (tmp_path / "demo.db").exists()
    assert "Traceback" not in result.stderr

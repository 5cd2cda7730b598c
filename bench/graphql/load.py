"""Drive a server with wrk (POST via a small Lua script) and read rps, p50 and p99."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
wrk.body = {body}
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def script(query: str, variables: dict[str, Any], token: str | None) -> str:
    body = json.dumps({"query": query, "variables": variables})
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    return LUA.format(auth=auth, body=_lua_string(body))


def wrk(url: str, lua: str, connections: int, seconds: float) -> Load:
    """One wrk run; failures count non-2xx answers and socket errors."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(lua)
    threads = 2 if connections > 1 else 1
    duration = f"-d{max(1, round(seconds))}s"
    command = [binary, f"-t{threads}", f"-c{connections}", duration, "--timeout", "30s"]
    try:
        run = subprocess.run([*command, "-s", handle.name, url], capture_output=True, text=True)
        output = run.stdout
        run.check_returncode()
    finally:
        Path(handle.name).unlink()
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    requests, micros, p50, p99, status_errors, socket_errors = map(int, line.split()[1:])
    return Load(
        rps=requests / (micros / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        failures=status_errors + socket_errors,
    )

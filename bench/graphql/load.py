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
{check}
done = function(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads or {{}}) do wrong = wrong + thread:get("wrong") end
  io.write(string.format("WRK %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    wrong))
end
"""

# Every answer read: a 200 whose body has no "errors" and exactly the expected length.
CHECK = """
threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) wrong = 0 end
function response(status, headers, body)
  if status ~= 200 or #body ~= {length} or string.find(body, '"errors"', 1, true) then
    wrong = wrong + 1
  end
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    failures: int  # non-2xx answers and socket errors
    wrong: int = 0  # 200s with errors or an unexpected body, when the script checks answers
    requests: int = 0


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def script(
    query: str, variables: dict[str, Any], token: str | None, expect_length: int | None = None
) -> str:
    """wrk's Lua for one POST; with `expect_length`, every answer's body is checked too."""
    body = json.dumps({"query": query, "variables": variables})
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    check = "" if expect_length is None else CHECK.format(length=expect_length)
    return LUA.format(auth=auth, body=_lua_string(body), check=check)


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
    requests, micros, p50, p99, status_errors, socket_errors, wrong = map(int, line.split()[1:])
    return Load(
        rps=requests / (micros / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        failures=status_errors + socket_errors,
        wrong=wrong,
        requests=requests,
    )

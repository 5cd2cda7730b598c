"""Parent side of the integer program: its inputs, outputs and the helper process running PuLP."""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from .assignment import PairProblem
from .population import IntArray

MipSolver = Literal["highs", "cbc"]
MipStatus = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "NO_SOLUTION"]


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """Circle rules: sizes, the topics each pair could share, and fixed members per mentor."""

    min_size: int
    pair_topics: tuple[tuple[int, ...], ...]
    fixed_members: IntArray
    fixed_topics: tuple[tuple[int, tuple[int, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class MipSettings:
    """Which MIP solver to run and when it may stop."""

    solver: MipSolver = "highs"
    time_limit_seconds: float = 30.0
    relative_gap: float = 1e-3


@dataclass(frozen=True, slots=True)
class MipOutcome:
    """Chosen pairs, circle topics per mentor, and the solver's honest status and bound."""

    status: MipStatus
    chosen: IntArray
    circle_topics: dict[int, int]
    objective: int
    bound: float | None


def solve_with_mip(
    problem: PairProblem,
    settings: MipSettings,
    group: GroupSpec | None = None,
    warm_start: IntArray | None = None,
) -> MipOutcome:
    """Solve the integer program in the helper process (see _Helper for why)."""
    with _HELPER_LOCK:
        return _HELPER.call((problem, settings, group, warm_start))


class _Helper:
    """A long-lived child process that runs PuLP.

    highspy and OR-Tools each ship a libhighs.so.1 of a different HiGHS version; whichever loads
    first wins and the other fails to import. The flow solver keeps OR-Tools in this process,
    so PuLP (which imports highspy) runs in a child that never imports OR-Tools.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def call(self, task: tuple[Any, ...]) -> MipOutcome:
        """Send one task and wait for its answer; restart the child if it died."""
        for attempt in (1, 2):
            process = self._running()
            try:
                assert process.stdin is not None
                assert process.stdout is not None
                send(process.stdin, task)
                answer = receive(process.stdout)
            except (BrokenPipeError, EOFError):
                self.process = None
                if attempt == 2:
                    raise
                continue
            if isinstance(answer, BaseException):
                raise answer
            assert isinstance(answer, MipOutcome)
            return answer
        raise AssertionError("unreachable")

    def _running(self) -> subprocess.Popen[bytes]:
        """Return the child, starting it on first use."""
        if self.process is None or self.process.poll() is not None:
            source_root = str(Path(__file__).resolve().parents[2])
            path = os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-c", f"from {__package__}.pulp_model import serve; serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )
        return self.process


_HELPER = _Helper()
_HELPER_LOCK = threading.Lock()


def send(stream: IO[bytes], payload: object) -> None:
    """Write one length-prefixed pickle."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes]) -> object:
    """Read one length-prefixed pickle (only ever from our own child or parent)."""
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError("helper process closed its pipe")
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))  # noqa: S301 - trusted pipe to our own process

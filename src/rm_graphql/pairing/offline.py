"""Offline planning: participants CSV (+ rules TOML) in, pairs CSV and a console summary out."""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .inputs import (
    DepartmentFloor,
    GroupMode,
    MatchingInputError,
    MatchRequest,
    Person,
    Rules,
    Weights,
)
from .results import MatchResult
from .scoring import CRITERIA
from .solver import match

REQUIRED_COLUMNS = (
    "id", "role", "job_level", "manager_id", "department", "birth_year",
    "languages", "timezone", "teach_topics", "learn_topics", "interests", "capacity",
)  # fmt: skip
OPTIONAL_COLUMNS = ("availability", "wishes", "blocks", "active", "consented")
DEFAULT_TOPIC_LEVEL = 3
OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")
T = TypeVar("T")


class OfflineInputError(ValueError):
    """A bad input file, reported as one line naming the file, row and column."""


def run_offline(
    participants_csv: Path,
    rules_toml: Path | None,
    output: Path | None,
    explain: bool,
    console: Console,
) -> int:
    """Plan pairs from files; return 0 on success, 1 if no plan exists, 2 on bad input."""
    try:
        rules, seed = load_rules(rules_toml) if rules_toml else (Rules(), 0)
        people = load_participants(participants_csv)
        result = match(MatchRequest(people=people, rules=rules, seed=seed, explain=explain))
    except (OfflineInputError, MatchingInputError) as error:
        console.print(Text.assemble(("error: ", "red"), str(error)))
        return 2
    if output is not None:
        write_pairs(result, output)
    _print_summary(result, console, output)
    if explain:
        _print_unmatched(result, console)
    return 0 if result.report.status in ("OPTIMAL", "FEASIBLE") else 1


def load_participants(path: Path) -> tuple[Person, ...]:
    """Read the participants CSV; manager chains are derived from manager_id."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            _check_columns(path, reader.fieldnames or [])
            rows = [(reader.line_num, row) for row in reader]
    except OSError as error:
        raise OfflineInputError(f"{path}: cannot read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise OfflineInputError(f"{path.name}: not UTF-8 text") from error
    except csv.Error as error:
        raise OfflineInputError(f"{path.name}: malformed CSV ({error})") from error
    managers = {row["id"].strip(): (row["manager_id"] or "").strip() for _, row in rows}
    return tuple(_person(path, line, row, managers) for line, row in rows)


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    """Every required column must be present; unknown columns are refused."""
    present = {c.strip() for c in columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise OfflineInputError(f"{path.name}: missing column(s) {', '.join(missing)}")
    unknown = sorted(present - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS))
    if unknown:
        raise OfflineInputError(f"{path.name}: unknown column(s) {', '.join(unknown)}")


def _person(
    path: Path, line: int, raw: Mapping[str, str | None], managers: Mapping[str, str]
) -> Person:
    """Parse one row; any problem names the row and column."""
    row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}

    def cell(column: str, parse: Callable[[str], T]) -> T:
        try:
            return parse(row.get(column, ""))
        except ValueError as error:
            raise OfflineInputError(
                f"{path.name}: row {line}, column {column!r}: {error}"
            ) from None

    person_id = cell("id", _required)
    return Person(
        id=person_id,
        role=cell("role", _role),
        job_level=cell("job_level", _optional_int),
        ancestors=cell("manager_id", lambda _: reporting_chain(person_id, managers)),
        department=row["department"] or None,
        birth_year=cell("birth_year", _optional_int),
        languages=frozenset(x.lower() for x in _items(row["languages"])),
        utc_offset_hours=cell("timezone", utc_offset),
        teach_topics=cell("teach_topics", _topics),
        learn_topics=cell("learn_topics", _topics),
        interests=frozenset(_items(row["interests"])),
        capacity=cell("capacity", _optional_int),
        availability=frozenset(_items(row.get("availability", ""))),
        wishes=tuple(_items(row.get("wishes", ""))),
        blocks=frozenset(_items(row.get("blocks", ""))),
        active=cell("active", _flag),
        consented=cell("consented", _flag),
    )


def _required(text: str) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


def _role(text: str) -> Any:
    if text.lower() not in ("mentor", "mentee"):
        raise ValueError(f"must be mentor or mentee, not {text!r}")
    return text.lower()


def _optional_int(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"not a whole number: {text!r}") from None


def _flag(text: str) -> bool:
    if text.lower() in ("", "1", "true", "yes", "y"):
        return True
    if text.lower() in ("0", "false", "no", "n"):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _topics(text: str) -> dict[str, int]:
    """Parse `ai:4;data` into {ai: 4, data: 3}."""
    topics: dict[str, int] = {}
    for item in _items(text):
        name, _, level = item.partition(":")
        value = _optional_int(level.strip()) or DEFAULT_TOPIC_LEVEL
        if not 1 <= value <= 5:
            raise ValueError(f"level of {name.strip()!r} must be 1..5, not {value}")
        topics[name.strip().lower()] = value
    return topics


def utc_offset(text: str) -> float | None:
    """Parse +01:00, -0530, UTC+2 or an IANA zone name (its offset today)."""
    if not text:
        return None
    if text.upper() in ("UTC", "GMT", "Z"):
        return 0.0
    if found := OFFSET.match(text.upper()):
        sign, hours, minutes = found.groups()
        value = int(hours) + int(minutes or 0) / 60
        return -value if sign == "-" else value
    try:
        offset = datetime.now(UTC).astimezone(ZoneInfo(text)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {text!r}") from None
    return offset.total_seconds() / 3600 if offset is not None else None


def reporting_chain(person_id: str, managers: Mapping[str, str]) -> frozenset[str]:
    """Follow manager_id upwards; a loop is an error."""
    chain: list[str] = []
    current = managers.get(person_id, "")
    while current:
        if current == person_id or current in chain:
            raise ValueError(f"manager chain loops back through {current!r}")
        chain.append(current)
        current = managers.get(current, "")
    return frozenset(chain)


RULE_TYPES: dict[str, tuple[type, ...]] = {
    "direction": (str,),
    "min_level_gap": (int,),
    "exclude_reporting_line": (bool,),
    "exclude_same_department": (bool,),
    "require_shared_language": (bool,),
    "max_timezone_diff_hours": (int, float),
    "default_capacity": (int,),
    "objective": (str,),
    "require_all_mentees_matched": (bool,),
    "max_mentees_per_mentor_per_department": (int,),
    "solver": (str,),
    "time_limit_seconds": (int, float),
    "relative_gap": (int, float),
    "candidate_limit": (int,),
}
TABLES = ("weights", "department_floors", "group")


def load_rules(path: Path) -> tuple[Rules, int]:
    """Read the rules TOML (plus an optional top-level seed); unknown keys are errors."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OfflineInputError(f"{path}: cannot read ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise OfflineInputError(f"{path.name}: invalid TOML ({error})") from error
    return rules_from_mapping(path.name, data)


def rules_from_mapping(name: str, data: Mapping[str, Any]) -> tuple[Rules, int]:
    """Rules (and a seed) from a TOML table or a program's stored JSON; unknown keys are errors."""
    unknown = sorted(set(data) - set(RULE_TYPES) - set(TABLES) - {"seed", "version"})
    if unknown:
        raise OfflineInputError(f"{name}: unknown key(s) {', '.join(unknown)}")
    values = {
        key: _typed(name, key, data[key], RULE_TYPES[key]) for key in RULE_TYPES if key in data
    }
    if "weights" in data:
        values["weights"] = _weights(name, data["weights"])
    if "department_floors" in data:
        values["department_floors"] = _floors(name, data["department_floors"])
    if "group" in data:
        values["group"] = GroupMode(
            **_table(name, "group", data["group"], ("min_size", "max_size"), (int,))
        )
    seed = _typed(name, "seed", data.get("seed", 0), (int,))
    return Rules(**values), seed


def _typed(name: str, key: str, value: Any, kinds: tuple[type, ...]) -> Any:
    """Check a TOML value's type (booleans are not numbers here)."""
    if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
        wanted = " or ".join(k.__name__ for k in kinds)
        raise OfflineInputError(f"{name}: {key} must be {wanted}, not {value!r}")
    return value


def _table(
    name: str, table: str, value: Any, keys: tuple[str, ...], kinds: tuple[type, ...]
) -> dict[str, Any]:
    """Check a TOML table: known keys only, each of the given types."""
    if not isinstance(value, dict):
        raise OfflineInputError(f"{name}: [{table}] must be a table")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise OfflineInputError(f"{name}: unknown key(s) in [{table}]: {', '.join(unknown)}")
    return {key: _typed(name, f"{table}.{key}", item, kinds) for key, item in value.items()}


def _weights(name: str, value: Any) -> Weights:
    keys = tuple(f.name for f in fields(Weights))
    return Weights(
        **{k: float(v) for k, v in _table(name, "weights", value, keys, (int, float)).items()}
    )


def _floors(name: str, value: Any) -> tuple[DepartmentFloor, ...]:
    """An integer is a head count, a float a fraction of the department's mentees."""
    if not isinstance(value, dict):
        raise OfflineInputError(f"{name}: [department_floors] must be a table")
    floors = []
    for department, amount in sorted(value.items()):
        _typed(name, f"department_floors.{department}", amount, (int, float))
        if isinstance(amount, int):
            floors.append(DepartmentFloor(department, count=amount))
        else:
            floors.append(DepartmentFloor(department, fraction=amount))
    return tuple(floors)


def write_pairs(result: MatchResult, output: Path) -> None:
    """Write mentor_id, mentee_id, score and one column per criterion."""
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mentor_id", "mentee_id", "score", *(c.value for c in CRITERIA)])
        for pair in result.pairs:
            parts = [f"{pair.breakdown[c.value]:.3f}" for c in CRITERIA]
            writer.writerow([pair.mentor_id, pair.mentee_id, f"{pair.score:.3f}", *parts])


def _print_summary(result: MatchResult, console: Console, output: Path | None) -> None:
    """Print the solve report, and the pairs when they are not written to a file."""
    report = result.report
    table = Table(title="Matching", show_header=False)
    rows = [
        ("status", report.status),
        ("solver", report.solver),
        ("objective", f"{report.objective:.3f}"),
        ("bound", "unknown" if report.bound is None else f"{report.bound:.3f}"),
        ("gap", "unknown" if report.gap is None else f"{report.gap:.4%}"),
        (
            "matched mentees",
            f"{report.matched_mentees} of {report.matchable_mentees} with candidates",
        ),
        ("eligible pairs", str(report.eligible_pairs)),
        ("seconds", f"{report.seconds:.2f}"),
    ]
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    console.print(table)
    for warning in report.warnings:
        console.print(Text.assemble(("warning: ", "yellow"), warning))
    if output is not None:
        console.print(Text(f"{len(result.pairs)} pairs written to {output}"))
        return
    pairs = Table("mentor", "mentee", "score", title="Pairs")
    for pair in result.pairs:
        pairs.add_row(Text(pair.mentor_id), Text(pair.mentee_id), f"{pair.score:.3f}")
    console.print(pairs)


def _print_unmatched(result: MatchResult, console: Console) -> None:
    """Print each unmatched person's reason, exclusion counts and near misses."""
    table = Table("person", "role", "reason", "excluded by", "near misses", title="Unmatched")
    for person in result.unmatched:
        excluded = ", ".join(f"{code}: {count}" for code, count in person.excluded_by.items())
        misses = "; ".join(
            f"{m.candidate_id} ({m.score_milli / 1000:.1f}: {', '.join(m.blockers)})"
            for m in person.near_misses
        )
        table.add_row(
            person.person_id, person.role, f"{person.reason}: {person.detail}", excluded, misses
        )
    console.print(table)

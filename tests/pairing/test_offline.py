"""Offline planning mode end to end, and one-line errors for bad files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.console import Console

from rm_graphql.pairing.offline import REQUIRED_COLUMNS, run_offline

DATA = Path(__file__).parent / "data"


def run(
    tmp_path: Path, participants: Path, rules: Path | None = None, explain: bool = False
) -> tuple[int, str, Path]:
    console = Console(record=True, width=200)
    output = tmp_path / "pairs.csv"
    code = run_offline(participants, rules, output, explain, console)
    return code, console.export_text(), output


def test_example_files_plan_pairs_with_breakdowns(tmp_path: Path) -> None:
    code, text, output = run(tmp_path, DATA / "participants.csv", DATA / "rules.toml", explain=True)
    assert code == 0
    assert "OPTIMAL" in text
    assert "gap" in text
    assert "matched mentees" in text
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert list(rows[0])[:3] == ["mentor_id", "mentee_id", "score"]
    for row in rows:
        parts = sum(
            float(v) for k, v in row.items() if k not in ("mentor_id", "mentee_id", "score")
        )
        assert abs(parts - float(row["score"])) < 0.01
    assert "ceo" not in {r["mentee_id"] for r in rows}
    assert "REPORTING_LINE" in text


def test_without_output_the_pairs_are_printed(tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    assert run_offline(DATA / "participants.csv", None, None, False, console) == 0
    assert "Pairs" in console.export_text()


def write_csv(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = REQUIRED_COLUMNS
) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**values: str) -> dict[str, str]:
    base = {c: "" for c in REQUIRED_COLUMNS}
    return {**base, "id": "a", "role": "mentee", **values}


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ([row()], REQUIRED_COLUMNS[:-1], "missing column(s) capacity"),
        ([row()], (*REQUIRED_COLUMNS, "shoe_size"), "unknown column(s) shoe_size"),
        ([row(role="boss")], REQUIRED_COLUMNS, "row 2, column 'role': must be mentor or mentee"),
        (
            [row(), row(id="b", job_level="high")],
            REQUIRED_COLUMNS,
            "row 3, column 'job_level': not a whole number",
        ),
        ([row(birth_year="19x0")], REQUIRED_COLUMNS, "column 'birth_year'"),
        ([row(timezone="Mars/Olympus")], REQUIRED_COLUMNS, "unknown timezone"),
        ([row(learn_topics="ai:7")], REQUIRED_COLUMNS, "level of 'ai' must be 1..5"),
        (
            [row(manager_id="b"), row(id="b", manager_id="a")],
            REQUIRED_COLUMNS,
            "manager chain loops",
        ),
        ([row(), row()], REQUIRED_COLUMNS, "duplicate person ids"),
    ],
)
def test_bad_participants_give_one_line_and_exit_2(
    tmp_path: Path, rows: list[dict[str, str]], columns: tuple[str, ...], message: str
) -> None:
    participants = write_csv(
        tmp_path / "people.csv",
        [{k: v for k, v in r.items() if k in columns} for r in rows],
        columns,
    )
    code, text, _ = run(tmp_path, participants)
    assert code == 2
    assert message in text
    assert text.count("\n") == 1
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("min_level_gap = 2\ncolour = 'red'\n", "unknown key(s) colour"),
        ("min_level_gap = 'two'\n", "min_level_gap must be int"),
        ("exclude_reporting_line = 1\n", "exclude_reporting_line must be bool"),
        ("[weights]\nvibes = 3\n", "unknown key(s) in [weights]: vibes"),
        ("objective = 'fun'\n", "objective must be 'score' or 'participation'"),
        ("min_level_gap = \n", "invalid TOML"),
    ],
)
def test_bad_rules_give_one_line_and_exit_2(tmp_path: Path, toml: str, message: str) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(toml)
    code, text, _ = run(tmp_path, DATA / "participants.csv", rules)
    assert code == 2
    assert message in text
    assert "Traceback" not in text


def test_rules_toml_options_reach_the_engine(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "objective = 'score'\nexclude_reporting_line = false\n[department_floors]\nPeople = 1.0\n"
    )
    code, _text, output = run(tmp_path, DATA / "participants.csv", rules)
    assert code == 0
    mentees = {r["mentee_id"] for r in csv.DictReader(output.open())}
    assert "hr_lead" in mentees
    assert "ceo" in mentees

"""CSV connector: header checks and row-by-row validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rm_graphql.connectors import EmployeeStatus, SourceFormatError
from rm_graphql.connectors.csv import CSVConfig, CSVConnector

from .conftest import collect

HEADER = (
    "employee_id,employee_number,email,name,job_title,department,division,location,timezone,"
    "languages,interests,skills,manager_id,manager_employee_number,hire_date,termination_date,"
    "birth_year,level,status"
)


def write(tmp_path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> CSVConnector:
    path = tmp_path / "people.csv"
    text = "\n".join([header, *rows]) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return CSVConnector(CSVConfig(path))


GOOD = [
    "1,E1,ceo@example.com,Ana Diaz,CEO,Executive,Corporate,London,Europe/London,"
    '"English; Spanish",Chess,Strategy,,,2010-01-04,,1970,L10,Active',
    "2,E2,kim@example.com,Kim Lee,Engineer,Engineering,Technology,Berlin,Europe/Berlin,"
    'English,"Gaming|Climbing","Python; TikTok",1,E1,2024-09-01,,2001,Grade 2,active',
    "3,E3,sam@example.com,Sam Roe,Analyst,Finance,Corporate,London,Europe/London,"
    "English,,,1,E1,2019-05-01,2025-06-30,1990-04-02,3,Terminated",
]


async def test_valid_file_maps_every_row(tmp_path: Path) -> None:
    connector = write(tmp_path, *GOOD, bom=True)
    await connector.check()
    run = await collect(connector)
    assert run.invalid == []
    assert run.complete
    kim = run.by_id()["2"]
    assert kim.languages == ("English",)
    assert kim.interests == ("Gaming", "Climbing")
    assert kim.skills == ("Python", "TikTok")
    assert kim.job_level == 2
    assert kim.birth_year == 2001
    assert kim.manager_external_id == "1"
    assert kim.manager_employee_number == "E1"
    sam = run.by_id()["3"]
    assert sam.status == EmployeeStatus.TERMINATED
    assert sam.terminated_on == date(2025, 6, 30)
    assert sam.birth_year == 1990  # a full birth date is reduced to the year
    assert run.by_id()["1"].job_level == 10


async def test_bad_rows_become_invalid_records_with_row_numbers(tmp_path: Path) -> None:
    connector = write(
        tmp_path,
        *GOOD,
        "4,E4,not-an-email,Bo Ek,,,,,,,,,,,,,,,",
        "5,E5,,Cy Fox,,,,,Mars/Olympus,,,,,,,,,,",
        "6,E6,,Di Gu,,,,,,,,,,,2024-13-01,,,,",
        "7,E7,,Ed Hu,,,,,,,,,,,,,,12,",
        "8,E8,,Flo Ip,,,,,,,,,,,,,,,retired",
        ",E9,,No Id,,,,,,,,,,,,,,,",
        "2,E2b,,Kim Again,,,,,,,,,,,,,,,",
        "10,too,few",
        "",
    )
    run = await collect(connector)
    assert sorted(run.by_id()) == ["1", "2", "3"]
    reasons = {record.row: (record.external_id, record.reason) for record in run.invalid}
    assert reasons[5] == ("4", "email: 'not-an-email' is not an email address")
    assert reasons[6][1].startswith("timezone: 'Mars/Olympus'")
    assert reasons[7][1].startswith("hire_date: cannot read '2024-13-01'")
    assert reasons[8][1] == "job_level: 12 is above the maximum 10"
    assert reasons[9][1] == "status: unknown status 'retired'"
    assert reasons[10] == ("", "external_id: missing")
    assert reasons[11] == ("2", "duplicate id (first seen on row 3)")
    assert reasons[12] == ("10", "expected 19 columns, got 3")
    assert len(run.invalid) == 8


async def test_missing_id_column_rejects_the_file(tmp_path: Path) -> None:
    connector = write(tmp_path, "Ana,ana@example.com", header="name,email")
    with pytest.raises(SourceFormatError, match="employee_id"):
        await connector.check()


async def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    connector = write(tmp_path, "1,Ana Diaz", header="employee_id,name")
    run = await collect(connector)
    assert [r.display_name for r in run.records] == ["Ana Diaz"]
    assert run.records[0].status == EmployeeStatus.ACTIVE


async def test_empty_or_missing_file_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="header row"):
        await CSVConnector(CSVConfig(tmp_path / "empty.csv")).check()
    with pytest.raises(SourceFormatError, match="cannot read"):
        await CSVConnector(CSVConfig(tmp_path / "absent.csv")).check()

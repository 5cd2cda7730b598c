"""Mapping profiles: loading, validation and mapping raw records."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from rm_graphql.connectors import (
    ConfigurationError,
    EmployeeRecord,
    EmployeeStatus,
    InvalidRecord,
    mapping,
)
from rm_graphql.connectors.mapping import load_profile, parse_profile

REPO_PROFILES = Path(__file__).resolve().parents[2] / "connectors"
SOURCES = ("bamboohr", "workday", "scim", "csv")


@pytest.mark.parametrize("source", SOURCES)
def test_repo_profiles_load_and_the_packaged_copies_match(source: str) -> None:
    profile = load_profile(source)
    assert profile.source == source
    assert profile.path == REPO_PROFILES / f"{source}.toml"
    packaged = mapping.PACKAGED_PROFILES / f"{source}.toml"
    assert packaged.read_text() == profile.path.read_text()


def test_raas_variant_replaces_fields_and_keeps_options() -> None:
    rest, raas = load_profile("workday"), load_profile("workday", variant="raas")
    assert rest.fields["external_id"].sources == ("id",)
    assert raas.fields["external_id"].sources == ("Worker_ID",)
    assert raas.options.list_separators == rest.options.list_separators
    with pytest.raises(ConfigurationError, match="no variant"):
        load_profile("workday", variant="soap")


def test_override_directory_and_environment_take_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "bamboohr.toml"
    custom.write_text('source = "bamboohr"\n[fields]\nexternal_id = "id"\ndisplay_name = "x"\n')
    assert load_profile("bamboohr", directory=tmp_path).path == custom
    monkeypatch.setenv("RM_MAPPING_DIR", str(tmp_path))
    assert load_profile("bamboohr").path == custom
    assert load_profile("scim").path == REPO_PROFILES / "scim.toml"  # falls back per file
    monkeypatch.setattr(mapping, "REPO_PROFILES", tmp_path / "nowhere")
    assert load_profile("scim").path == mapping.PACKAGED_PROFILES / "scim.toml"


def test_missing_profile_names_the_searched_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match=r"no mapping profile adp\.toml"):
        load_profile("adp")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"fields": {}}, "'source'"),
        ({"source": "x", "fields": {"external_id": "id"}}, "display_name is required"),
        (
            {"source": "x", "fields": {"external_id": "id", "display_name": "n", "shoe": "s"}},
            "unknown record attribute",
        ),
        (
            {
                "source": "x",
                "fields": {
                    "external_id": "id",
                    "display_name": "n",
                    "job_level": {"source": "l", "coerce": "date"},
                },
            },
            "cannot use coerce",
        ),
        (
            {
                "source": "x",
                "fields": {
                    "external_id": "id",
                    "display_name": "n",
                    "status": {"source": "s", "values": {"A": "ALIVE"}},
                },
            },
            "unknown status",
        ),
        ({"source": "x", "options": {"field_mismatch": "maybe"}, "fields": {}}, "field_mismatch"),
        (
            {"source": "x", "fields": {"external_id": "id", "display_name": {"coerce": "text"}}},
            "needs a source",
        ),
    ],
)
def test_bad_profiles_fail_at_load(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_profile(document)


def test_broken_toml_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "csv.toml").write_text("source = [")
    with pytest.raises(ConfigurationError, match="cannot read"):
        mapping.load_profile_file(tmp_path / "csv.toml")


BAMBOO_ROW = {
    "id": "40494",
    "displayName": "Ana Diaz",
    "workEmail": "ana@example.com",
    "employeeNumber": 1234,
    "customLevel": "Grade 7",
    "customLanguages": "English, Spanish; French",
    "customTimezone": "Europe/Madrid",
    "dateOfBirth": "1988-02-29",
    "hireDate": "0000-00-00",
    "originalHireDate": "2015-04-01",
    "terminationDate": "0000-00-00",
    "employmentHistoryStatus": "Full-Time",
    "status": "Active",
    "supervisorEId": "40494",
    "customIsPeopleManager": "false",
    "lastChanged": "2026-01-02T10:00:00+00:00",
}


def test_bamboohr_row_with_every_quirk() -> None:
    record = load_profile("bamboohr").map(BAMBOO_ROW)
    assert isinstance(record, EmployeeRecord)
    assert record.employee_number == "1234"
    assert record.job_level == 7
    assert record.languages == ("English", "Spanish", "French")
    assert record.birth_year == 1988
    assert record.hire_date is not None
    assert record.hire_date.isoformat() == "2015-04-01"
    assert record.terminated_on is None
    assert record.status == EmployeeStatus.ACTIVE
    assert record.manager_external_id is None  # self-managed CEO
    assert record.custom == {"people_manager": False}
    assert "1988-02-29" not in repr(record)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"customLevel": "Senior"}, "job_level: cannot read 'Senior' as a grade"),
        ({"customLevel": "L11"}, "job_level: 11 is above the maximum 10"),
        (
            {"employmentHistoryStatus": "Sabbatical", "status": "Paused"},
            "status: unknown status 'Sabbatical'",
        ),
        ({"displayName": "", "preferredName": None, "firstName": " "}, "display_name: missing"),
        ({"customIsPeopleManager": "sometimes"}, "cannot read 'sometimes' as true or false"),
    ],
)
def test_invalid_rows_keep_their_id_and_reason(change: dict[str, object], reason: str) -> None:
    result = load_profile("bamboohr").map({**BAMBOO_ROW, **change})
    assert result == InvalidRecord("40494", reason)


def test_leave_and_termination_statuses() -> None:
    profile = load_profile("bamboohr")
    on_leave = profile.map({**BAMBOO_ROW, "employmentHistoryStatus": "Leave of Absence"})
    gone = profile.map({**BAMBOO_ROW, "status": "Inactive", "terminationDate": "2025-12-31"})
    assert isinstance(on_leave, EmployeeRecord)
    assert on_leave.status == EmployeeStatus.LEAVE
    assert isinstance(gone, EmployeeRecord)
    assert gone.status == EmployeeStatus.TERMINATED
    assert gone.terminated_on is not None
    assert gone.terminated_on.year == 2025


def test_full_birth_date_only_when_a_profile_asks() -> None:
    document = tomllib.loads(
        'source = "bamboohr"\n[fields]\nexternal_id = "id"\ndisplay_name = "displayName"\n'
        'birth_year = "dateOfBirth"\n[custom]\nbirth_date = { source = "dateOfBirth", coerce = "date" }\n'
    )
    record = parse_profile(document).map(BAMBOO_ROW)
    assert isinstance(record, EmployeeRecord)
    assert record.birth_year == 1988
    assert record.custom == {"birth_date": "1988-02-29"}


def test_nested_paths_reach_into_objects_and_lists() -> None:
    user = {
        "id": "u1",
        "displayName": "Ana",
        "emails": [{"value": "ana@example.com"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "u0"}},
    }
    record = load_profile("scim").map(user)
    assert isinstance(record, EmployeeRecord)
    assert record.email == "ana@example.com"
    assert record.manager_external_id == "u0"
    assert mapping.read_path(user, "emails/3/value") is None
    assert mapping.read_path(user, "displayName/x") is None


def test_source_fields_are_the_top_level_names() -> None:
    fields = load_profile("scim").source_fields()
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in fields
    assert "emails" in fields
    assert "meta" in fields


def test_unicode_spaces_pasted_from_spreadsheets_are_stripped_like_ascii_ones() -> None:
    padded = {
        **BAMBOO_ROW,
        "displayName": "\u2003Ana Diaz\xa0",
        "workEmail": "ana@example.com\xa0",
        "department": "Sales\xa0",
        "jobTitle": "\xa0",
    }
    record = load_profile("bamboohr").map(padded)
    assert isinstance(record, EmployeeRecord), record
    assert (record.display_name, record.email, record.department) == (
        "Ana Diaz",
        "ana@example.com",
        "Sales",
    )
    assert record.job_title is None

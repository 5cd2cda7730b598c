"""Field-mapping profiles (TOML) that turn a vendor's raw employee into an EmployeeRecord."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import available_timezones

from rm_graphql.connectors import coercions
from rm_graphql.connectors import readers as readers_
from rm_graphql.connectors.base import (
    ConfigurationError,
    CustomValue,
    EmployeeRecord,
    EmployeeStatus,
    InvalidRecord,
)
from rm_graphql.connectors.coercions import CoercionError
from rm_graphql.connectors.readers import Reader, read_path

logger = logging.getLogger(__name__)

MAPPING_DIR_ENV = "RM_MAPPING_DIR"
PACKAGED_PROFILES = Path(__file__).resolve().parent / "profiles"
REPO_PROFILES = Path(__file__).resolve().parents[3] / "connectors"

TEXT_ATTRIBUTES = frozenset(
    {
        "external_id", "employee_number", "email", "display_name", "job_title", "department",
        "division", "location", "timezone", "manager_external_id", "manager_employee_number",
    }
)  # fmt: skip
ATTRIBUTE_COERCIONS: dict[str, tuple[str, ...]] = {
    **{name: ("text",) for name in TEXT_ATTRIBUTES},
    "languages": ("list",),
    "interests": ("list",),
    "skills": ("list",),
    "job_level": ("grade", "int"),
    "birth_year": ("birth_year",),
    "hire_date": ("date",),
    "terminated_on": ("date",),
    "last_changed": ("datetime",),
    "status": ("status",),
}
CUSTOM_COERCIONS = ("text", "int", "grade", "bool", "date", "datetime", "list", "birth_year")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one record attribute is read: source paths (first non-blank wins) and a coercion."""

    sources: tuple[str, ...]
    coerce: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def raw_values(self, raw: Mapping[str, Any]) -> list[Any]:
        """Non-blank values found at this spec's source paths, in order."""
        found = (read_path(raw, path) for path in self.sources)
        return [value for value in found if not coercions.is_blank(value)]


@dataclass(frozen=True, slots=True)
class ProfileOptions:
    """Behaviour switches of a profile."""

    field_mismatch: Literal["fail", "warn"] = "fail"
    list_separators: tuple[str, ...] = coercions.DEFAULT_SEPARATORS


@dataclass(frozen=True, slots=True)
class MappingProfile:
    """A parsed profile: which vendor field feeds which EmployeeRecord attribute."""

    source: str
    fields: Mapping[str, FieldSpec]
    custom: Mapping[str, FieldSpec] = field(default_factory=dict)
    options: ProfileOptions = ProfileOptions()
    variant: str | None = None
    path: Path | None = None
    _readers: tuple[tuple[str, Reader], ...] = field(init=False, repr=False, compare=False)
    _custom_readers: tuple[tuple[str, Reader], ...] = field(init=False, repr=False, compare=False)
    _customs: dict[tuple[Any, ...], Mapping[str, CustomValue]] = field(
        init=False, repr=False, compare=False
    )  # equal custom values share one mapping

    def source_fields(self) -> list[str]:
        """Top-level vendor fields this profile reads (what a report must request)."""
        names: dict[str, None] = {}
        for spec in (*self.fields.values(), *self.custom.values()):
            for path in spec.sources:
                names.setdefault(path.split("/", 1)[0], None)
        return list(names)

    def map(
        self, raw: Mapping[str, Any], *, row: int | None = None
    ) -> EmployeeRecord | InvalidRecord:
        """Map one raw vendor employee; a value that does not validate yields an InvalidRecord."""
        try:
            values = {name: read(raw) for name, read in self._readers}
            custom = {name: read(raw) for name, read in self._custom_readers}
            return _build_record(self.source, values, custom, self._customs)
        except CoercionError as error:
            return InvalidRecord(_peek_external_id(self, raw), str(error), row=row)

    def __post_init__(self) -> None:
        """Compile the specs once: per row, `map` only runs one reader per attribute."""
        separators = self.options.list_separators
        readers = tuple(
            (name, readers_.attribute_reader(name, spec, separators))
            for name, spec in self.fields.items()
        )
        customs = tuple(
            (name, readers_.custom_reader(spec, separators)) for name, spec in self.custom.items()
        )
        object.__setattr__(self, "_readers", readers)
        object.__setattr__(self, "_custom_readers", customs)
        object.__setattr__(self, "_customs", {})


def _peek_external_id(profile: MappingProfile, raw: Mapping[str, Any]) -> str:
    """Best-effort id for error reports, even when the record is otherwise broken."""
    spec = profile.fields.get("external_id")
    if spec is None:
        return ""
    for value in spec.raw_values(raw):
        if isinstance(value, str | int):
            return str(value).strip()
    return ""


@cache
def _known_timezones() -> frozenset[str]:
    """IANA zone names, loaded once."""
    return frozenset(available_timezones())


def _build_record(
    source: str,
    values: dict[str, Any],
    custom: dict[str, CustomValue | None],
    shared: dict[tuple[Any, ...], Mapping[str, CustomValue]],
) -> EmployeeRecord:
    """Validate cross-field rules and build the record."""
    if not values.get("external_id"):
        raise CoercionError("external_id: missing")
    if not values.get("display_name"):
        raise CoercionError("display_name: missing")
    email = values.get("email")
    if email is not None and not _EMAIL.match(email):
        raise CoercionError(f"email: {email!r} is not an email address")
    timezone = values.get("timezone")
    if timezone is not None and timezone not in _known_timezones():
        raise CoercionError(f"timezone: {timezone!r} is not an IANA time zone")
    if values.get("manager_external_id") == values["external_id"]:
        values["manager_external_id"] = None  # some sources list the CEO as their own manager
    if values.get("status") is None:
        values.pop("status", None)
    present = {name: value for name, value in custom.items() if value is not None and value != ()}
    key = tuple(present.items())
    kept = shared.get(key)
    if kept is None:
        kept = present
        if len(shared) < readers_.MEMO_SIZE:
            shared[key] = present
    return EmployeeRecord(source=source, custom=kept, **values)


def parse_profile(
    document: Mapping[str, Any], *, variant: str | None = None, path: Path | None = None
) -> MappingProfile:
    """Build a profile from a parsed TOML document; bad configuration raises ConfigurationError."""
    source = document.get("source")
    if not isinstance(source, str) or not source:
        raise ConfigurationError(f"profile {path}: 'source' must be a non-empty string")
    body: Mapping[str, Any] = document
    if variant is not None:
        variants = document.get("variants", {})
        if variant not in variants:
            raise ConfigurationError(f"profile {path}: no variant {variant!r}")
        body = variants[variant]
    options = _parse_options({**document.get("options", {}), **body.get("options", {})}, path)
    fields = {name: _parse_spec(name, raw, path) for name, raw in body.get("fields", {}).items()}
    for required in ("external_id", "display_name"):
        if required not in fields:
            raise ConfigurationError(f"profile {path}: fields.{required} is required")
    custom = {
        name: _parse_spec(name, raw, path, custom=True)
        for name, raw in body.get("custom", {}).items()
    }
    return MappingProfile(source, fields, custom, options, variant, path)


def _parse_options(raw: Mapping[str, Any], path: Path | None) -> ProfileOptions:
    """Read the [options] table."""
    mismatch = raw.get("field_mismatch", "fail")
    if mismatch not in ("fail", "warn"):
        raise ConfigurationError(f"profile {path}: field_mismatch must be 'fail' or 'warn'")
    separators = tuple(raw.get("list_separators", coercions.DEFAULT_SEPARATORS))
    return ProfileOptions(field_mismatch=mismatch, list_separators=separators)


def _parse_spec(name: str, raw: Any, path: Path | None, *, custom: bool = False) -> FieldSpec:
    """Read one field entry: a path, a list of paths, or a table."""
    table: dict[str, Any] = raw if isinstance(raw, dict) else {"source": raw}
    allowed = CUSTOM_COERCIONS if custom else ATTRIBUTE_COERCIONS.get(name)
    if allowed is None:
        raise ConfigurationError(f"profile {path}: unknown record attribute {name!r}")
    coerce = table.get("coerce", "text" if custom else allowed[0])
    if coerce not in allowed:
        raise ConfigurationError(f"profile {path}: {name} cannot use coerce={coerce!r}")
    source = table.get("source", ())
    sources = (source,) if isinstance(source, str) else tuple(source)
    if not sources and "default" not in table:
        raise ConfigurationError(f"profile {path}: {name} needs a source or a default")
    values = {
        str(key).strip().lower(): str(value) for key, value in table.get("values", {}).items()
    }
    statuses = list(values.values())
    if coerce == "status" and "default" in table:
        statuses.append(str(table["default"]))
    for status in statuses:
        if status not in EmployeeStatus.__members__:
            raise ConfigurationError(f"profile {path}: {name} maps to unknown status {status!r}")
    return FieldSpec(
        sources, coerce, table.get("default"), table.get("min"), table.get("max"), values
    )


def profile_directories(directory: str | Path | None = None) -> list[Path]:
    """Where profiles are looked up, in order: argument, $RM_MAPPING_DIR, repo, package."""
    candidates = [directory, os.environ.get(MAPPING_DIR_ENV), REPO_PROFILES, PACKAGED_PROFILES]
    return [Path(candidate) for candidate in candidates if candidate]


def load_profile(
    source: str, *, variant: str | None = None, directory: str | Path | None = None
) -> MappingProfile:
    """Load `<source>.toml` from the first profile directory that has it."""
    for folder in profile_directories(directory):
        path = folder / f"{source}.toml"
        if path.is_file():
            logger.info("using mapping profile %s", path)
            return load_profile_file(path, variant=variant)
    searched = ", ".join(str(folder) for folder in profile_directories(directory))
    raise ConfigurationError(f"no mapping profile {source}.toml in {searched}")


def load_profile_file(path: str | Path, *, variant: str | None = None) -> MappingProfile:
    """Load one profile file."""
    profile_path = Path(path)
    try:
        document = tomllib.loads(profile_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read mapping profile {profile_path}: {error}") from error
    return parse_profile(document, variant=variant, path=profile_path)

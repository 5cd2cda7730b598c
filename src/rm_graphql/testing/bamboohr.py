"""A fake BambooHR: API key and OAuth, directory, changed, custom reports, meta fields."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from rm_graphql.testing.common import GenerationCache, day, iso, json_response, raw_json
from rm_graphql.testing.faults import Faults
from rm_graphql.testing.org import LEAVE, TERMINATED, Organisation, Person
from rm_graphql.testing.tokens import TokenAuthority, derived_secret

# field id -> (type, display name)
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("int", "Employee ID"),
    "displayName": ("text", "Display name"),
    "firstName": ("text", "First Name"),
    "lastName": ("text", "Last Name"),
    "preferredName": ("text", "Preferred Name"),
    "workEmail": ("email", "Work Email"),
    "jobTitle": ("list", "Job Title"),
    "department": ("list", "Department"),
    "division": ("list", "Division"),
    "location": ("list", "Location"),
    "supervisor": ("employee", "Supervisor"),
    "supervisorId": ("text", "Supervisor employee number"),
    "supervisorEId": ("int", "Supervisor ID"),
    "supervisorEmail": ("email", "Supervisor email"),
    "hireDate": ("date", "Hire Date"),
    "originalHireDate": ("date", "Original Hire Date"),
    "terminationDate": ("date", "Termination Date"),
    "dateOfBirth": ("date", "Birth Date"),
    "status": ("status", "Status"),
    "employmentHistoryStatus": ("list", "Employment Status"),
    "employeeNumber": ("text", "Employee #"),
    "lastChanged": ("timestamp", "Last Changed"),
    "customLevel": ("text", "Level"),
    "customLanguages": ("text", "Languages"),
    "customInterests": ("text", "Interests"),
    "customSkills": ("text", "Skills"),
    "customTimezone": ("text", "Time Zone"),
    "customIsPeopleManager": ("bool", "People manager"),
}
DIRECTORY_FIELDS = (
    "displayName", "firstName", "lastName", "preferredName", "jobTitle", "workEmail",
    "department", "location", "division", "supervisor",
)  # fmt: skip


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """BambooHR puts the error reason in the X-BambooHR-Message header."""
    return Response(b"", status, headers={"X-BambooHR-Message": message, **(headers or {})})


class FakeBambooHR:
    """Serves one company at both base URL shapes; every credential is derived from the seed."""

    kind = "bamboohr"

    def __init__(
        self,
        org: Organisation | None = None,
        *,
        company: str = "acme",
        access_ttl: int = 3600,
        rotate_refresh_tokens: bool = True,
    ) -> None:
        self.org = org or Organisation()
        self.company = company
        self.api_key = derived_secret(self.org.seed, "bamboohr-api-key")
        self.oauth = TokenAuthority(
            f"bamboohr-client-{self.org.seed}",
            derived_secret(self.org.seed, "bamboohr-client-secret"),
            access_ttl=access_ttl,
            rotate_refresh_tokens=rotate_refresh_tokens,
        )
        self.faults = Faults(_error)
        self.requests: Counter[str] = Counter()
        self._views = GenerationCache(self.org)
        api = [
            Route("/employees/directory", self.directory),
            Route("/employees/changed", self.changed),
            Route("/reports/custom", self.custom_report, methods=["POST"]),
            Route("/meta/fields", self.meta_fields),
        ]
        self.app = Starlette(
            routes=[
                Route("/authorize.php", self.oauth.authorize_redirect),
                Route("/token.php", self.oauth.token_endpoint, methods=["POST"]),
                Mount("/api/gateway.php/{company}/v1", routes=api),
                Mount("/api/v1", routes=api),
            ]
        )

    def credentials(self, base_url: str) -> dict[str, str]:
        """API key, OAuth client and URLs for a fake served at `base_url`."""
        return {
            "company": self.company,
            "api_base": f"{base_url}/api/v1",
            "classic_api_base": f"{base_url}/api/gateway.php/{self.company}/v1",
            "api_key": self.api_key,
            "client_id": self.oauth.client_id,
            "client_secret": self.oauth.client_secret,
            "authorize_url": f"{base_url}/authorize.php?request=authorize",
            "token_url": f"{base_url}/token.php?request=token",
        }

    async def _guard(self, request: Request, name: str) -> Response | None:
        """Faults, then authentication, then the company and Accept checks."""
        self.requests[name] += 1
        fault = await self.faults.before_api_request(self.oauth.expire_access_tokens)
        if fault is not None:
            return fault
        if not (self._key_valid(request) or self.oauth.bearer_valid(request)):
            return _error(401, "Invalid API key or access token")
        company = request.path_params.get("company")
        if company is not None and company != self.company:
            return _error(404, f"Unknown company {company}")
        if "application/json" not in request.headers.get("Accept", ""):
            return Response(b"<?xml version='1.0'?><error>XML only</error>", media_type="text/xml")
        return None

    def _key_valid(self, request: Request) -> bool:
        """HTTP Basic with the API key as the username and any password."""
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        username = base64.b64decode(header[6:]).decode().partition(":")[0]
        return username == self.api_key

    def views(self) -> list[dict[str, Any]]:
        """Every employee on record as BambooHR field values, built once per generation."""
        result: list[dict[str, Any]] = self._views.get("views", self._build_views)
        return result

    def _build_views(self) -> list[dict[str, Any]]:
        managers = {p.manager for p in self.org.employed()}
        return [_view(self.org, person, person.number in managers) for person in self.org.current()]

    async def directory(self, request: Request) -> Response:
        """Active employees only, as the real directory (terminated people vanish)."""
        if (refused := await self._guard(request, "directory")) is not None:
            return refused
        fields = [{"id": f, "type": FIELDS[f][0], "name": FIELDS[f][1]} for f in DIRECTORY_FIELDS]
        employees = [
            {"id": view["id"], **{f: view[f] for f in DIRECTORY_FIELDS}}
            for view in self.views()
            if view["status"] == "Active"
        ]
        return json_response({"fields": fields, "employees": employees})

    async def changed(self, request: Request) -> Response:
        """Ids changed since a timestamp, with Inserted/Updated/Deleted actions."""
        if (refused := await self._guard(request, "changed")) is not None:
            return refused
        since = _parse_since(request.query_params.get("since"))
        if since is None:
            return _error(400, "A valid 'since' parameter is required")
        changes: dict[str, dict[str, str]] = {}
        for person in self.org.current():
            if person.last_changed >= since:
                action = "Inserted" if person.hire_date >= since.date() else "Updated"
                changes[person.bamboo_id] = _change(person.bamboo_id, action, person.last_changed)
        for person, deleted_at in self.org.deleted.values():
            if deleted_at >= since:
                changes[person.bamboo_id] = _change(person.bamboo_id, "Deleted", deleted_at)
        # PHP serialises an empty map as a list, and so does the real API.
        return json_response({"latest": iso(self.org.now), "employees": changes or []})

    async def custom_report(self, request: Request) -> Response:
        """Active and terminated employees; unknown or forbidden fields silently dropped."""
        if (refused := await self._guard(request, "report")) is not None:
            return refused
        if request.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return _error(400, "Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
            requested = [str(name) for name in body.get("fields", [])]
        except (ValueError, AttributeError, TypeError):
            return _error(400, "Malformed report request")
        since = _parse_since(body.get("filters", {}).get("lastChanged", {}).get("value"))
        served = tuple(dict.fromkeys(f for f in requested if self._servable(f)))
        key = ("report", served, since)
        payload: bytes = self._views.get(key, lambda: self._report(body, served, since))
        return raw_json(payload)

    def _servable(self, name: str) -> bool:
        return name in FIELDS and name not in self.faults.dropped_fields

    def _report(
        self, body: dict[str, Any], served: tuple[str, ...], since: datetime | None
    ) -> bytes:
        """Serialise a report once; repeated identical requests reuse the bytes."""
        fields = [{"id": f, "type": FIELDS[f][0], "name": FIELDS[f][1]} for f in served]
        rows = [
            {"id": view["id"], **{f: view[f] for f in served}}
            for view in self.views()
            if since is None or view["_changed"] >= since
        ]
        payload = {"title": body.get("title", "Report"), "fields": fields, "employees": rows}
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    async def meta_fields(self, request: Request) -> Response:
        """The field catalogue (what Airbyte uses as a connection check)."""
        if (refused := await self._guard(request, "meta")) is not None:
            return refused
        catalogue = [
            {"id": index, "name": name, "type": kind, "alias": alias}
            for index, (alias, (kind, name)) in enumerate(FIELDS.items(), start=1)
        ]
        return json_response(catalogue)


def _change(bamboo_id: str, action: str, when: datetime) -> dict[str, str]:
    return {"id": bamboo_id, "action": action, "lastChanged": iso(when)}


def _parse_since(value: Any) -> datetime | None:
    """Parse an ISO timestamp from a query or filter."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _status(person: Person) -> tuple[str, str]:
    """BambooHR's status and employment-history status."""
    if person.status == TERMINATED:
        return "Inactive", "Terminated"
    if person.status == LEAVE:
        return "Active", "Leave of Absence"
    return "Active", "Part-Time" if person.number % 7 == 0 else "Full-Time"


def _view(org: Organisation, person: Person, manages: bool) -> dict[str, Any]:
    """One employee with BambooHR's quirks: strings for numbers, zero dates, joined lists."""
    manager = org.people.get(person.manager) if person.manager else None
    status, history = _status(person)
    level = f"L{person.level}" if person.number % 5 == 0 else str(person.level)
    return {
        "_changed": person.last_changed,
        "id": person.bamboo_id,
        "displayName": person.display_name,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "preferredName": person.preferred_name,
        "workEmail": person.email,
        "jobTitle": person.job_title,
        "department": person.department,
        "division": person.division,
        "location": person.site.city,
        "supervisor": manager.display_name if manager else None,
        "supervisorId": manager.employee_number if manager else None,
        "supervisorEId": manager.bamboo_id if manager else None,
        "supervisorEmail": manager.email if manager else None,
        "hireDate": "0000-00-00" if person.number % 97 == 0 else day(person.hire_date),
        "originalHireDate": day(person.hire_date),
        "terminationDate": day(person.termination_date) or "0000-00-00",
        "dateOfBirth": "0000-00-00" if person.number % 89 == 0 else day(person.birth_date),
        "status": status,
        "employmentHistoryStatus": history,
        "employeeNumber": person.employee_number,
        "lastChanged": iso(person.last_changed),
        "customLevel": level,
        "customLanguages": ", ".join(person.languages),
        "customInterests": "; ".join(person.interests),
        "customSkills": ", ".join(person.skills),
        "customTimezone": person.site.timezone,
        "customIsPeopleManager": "true" if manages else "false",
    }

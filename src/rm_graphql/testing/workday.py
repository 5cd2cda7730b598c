"""A fake Workday: refresh-token grant, REST workers (limit/offset/total) and RaaS JSON."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rm_graphql.testing.common import (
    GenerationCache,
    day,
    iso,
    json_bytes,
    json_response,
    raw_json,
)
from rm_graphql.testing.faults import Faults
from rm_graphql.testing.org import LEAVE, TERMINATED, Organisation, Person
from rm_graphql.testing.tokens import TokenAuthority, derived_secret

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Workday REST errors are small JSON objects; 429s carry no Retry-After by default."""
    return json_response({"error": message}, status, **(headers or {}))


def _ref(kind: str, name: str) -> str:
    """A stable Workday-style 32-hex id for a named object."""
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:32]


class FakeWorkday:
    """One tenant; the API client's refresh token is issued at start-up."""

    kind = "workday"

    def __init__(
        self,
        org: Organisation | None = None,
        *,
        tenant: str = "acme_dpt1",
        report_owner: str = "ISU_RM",
        report_name: str = "RM_Workers",
        access_ttl: int = 3600,
    ) -> None:
        self.org = org or Organisation()
        self.tenant = tenant
        self.report_path = f"{report_owner}/{report_name}"
        self.oauth = TokenAuthority(
            f"workday-client-{self.org.seed}",
            derived_secret(self.org.seed, "workday-client-secret"),
            access_ttl=access_ttl,
            rotate_refresh_tokens=False,
            return_refresh_token=False,
        )
        self.refresh_token = self.oauth.issue_refresh_token()
        self.faults = Faults(_error)
        self.requests: Counter[str] = Counter()
        self._views = GenerationCache(self.org)
        self.app = Starlette(
            routes=[
                Route("/ccx/oauth2/{tenant}/token", self.token, methods=["POST"]),
                Route("/ccx/api/{version:path}/{tenant}/workers", self.workers),
                Route("/ccx/service/customreport2/{tenant}/{owner}/{report}", self.report),
            ]
        )

    def credentials(self, base_url: str) -> dict[str, str]:
        """OAuth client, refresh token and URLs for a fake served at `base_url`."""
        return {
            "host_url": base_url,
            "tenant": self.tenant,
            "client_id": self.oauth.client_id,
            "client_secret": self.oauth.client_secret,
            "refresh_token": self.refresh_token,
            "token_url": f"{base_url}/ccx/oauth2/{self.tenant}/token",
            "workers_url": f"{base_url}/ccx/api/v1/{self.tenant}/workers",
            "report_url": f"{base_url}/ccx/service/customreport2/{self.tenant}/{self.report_path}",
        }

    async def token(self, request: Request) -> Response:
        """The tenant's token endpoint (refresh_token grant)."""
        if request.path_params["tenant"] != self.tenant:
            return _error(404, "Unknown tenant")
        self.requests["token"] += 1
        return await self.oauth.token_endpoint(request)

    async def _guard(self, request: Request, name: str) -> Response | None:
        self.requests[name] += 1
        fault = await self.faults.before_api_request(self.oauth.expire_access_tokens)
        if fault is not None:
            return fault
        if not self.oauth.bearer_valid(request):
            return _error(401, "invalid_token")
        if request.path_params["tenant"] != self.tenant:
            return _error(404, "Unknown tenant")
        return None

    async def workers(self, request: Request) -> Response:
        """Employed workers, offset paged; `view=workerProfile` adds profile fields."""
        if (refused := await self._guard(request, "workers")) is not None:
            return refused
        try:
            limit = int(request.query_params.get("limit", DEFAULT_LIMIT))
            offset = int(request.query_params.get("offset", 0))
        except ValueError:
            return _error(400, "limit and offset must be integers")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            return _error(400, f"limit must be 1..{MAX_LIMIT} and offset >= 0")
        profile = request.query_params.get("view") == "workerProfile"
        workers: list[dict[str, Any]] = self._views.get(
            ("workers", profile), lambda: self._worker_views(profile)
        )
        listing = workers[self.faults.hidden_for_page() :]
        return json_response({"total": len(listing), "data": listing[offset : offset + limit]})

    def _worker_views(self, profile: bool) -> list[dict[str, Any]]:
        """Every employed worker, in a stable order."""
        managers = {p.manager for p in self.org.employed()}
        return [
            _worker(self.org, person, person.number in managers, profile)
            for person in self.org.employed()
        ]

    async def report(self, request: Request) -> Response:
        """A RaaS report: every worker including terminated ones, no paging."""
        if (refused := await self._guard(request, "report")) is not None:
            return refused
        params = request.path_params
        if f"{params['owner']}/{params['report']}" != self.report_path:
            return _error(404, "Report not found")
        if request.query_params.get("format") != "json":
            return Response(b"<wd:Report_Data/>", media_type="application/xml")
        body: bytes = self._views.get("raas", self._raas)
        return raw_json(body)

    def _raas(self) -> bytes:
        entries = [_raas_entry(self.org, person) for person in self.org.current()]
        return json_bytes({"Report_Entry": entries})


def _worker(org: Organisation, person: Person, manages: bool, profile: bool) -> dict[str, Any]:
    """A REST worker; empty fields are omitted, as Workday does."""
    worker: dict[str, Any] = {
        "id": person.workday_id,
        "descriptor": person.display_name,
        "primaryWorkEmail": person.email,
        "businessTitle": person.job_title,
        "isManager": manages,
        "primarySupervisoryOrganization": {
            "descriptor": person.department,
            "id": _ref("org", person.department),
        },
    }
    if not profile:
        return worker
    manager = org.people.get(person.manager) if person.manager else None
    worker |= {
        "workerId": person.employee_number,
        "location": {"descriptor": person.site.city, "id": _ref("location", person.site.city)},
        "hireDate": day(person.hire_date),
        "yearsOfService": str(max(0, org.now.year - person.hire_date.year)),
        "managementLevel": {
            "descriptor": f"Level {person.level}",
            "id": _ref("level", str(person.level)),
        },
        "timeZone": person.site.timezone,
    }
    if person.number % 89:  # some tenants restrict date of birth: the field is just absent
        worker["dateOfBirth"] = day(person.birth_date)
    if manager is not None:
        worker["manager"] = {"descriptor": manager.display_name, "id": manager.workday_id}
    return worker


def _multi(values: list[str], key: str) -> Any:
    """RaaS multi-valued fields: a list of objects, but a plain string when only one value."""
    if len(values) == 1:
        return values[0]
    return [{key: value} for value in values]


def _raas_entry(org: Organisation, person: Person) -> dict[str, Any]:
    """One Report_Entry row: flat keys, dates with a zone offset, mixed multi-values."""
    manager = org.people.get(person.manager) if person.manager else None
    status = {TERMINATED: "Terminated", LEAVE: "On Leave"}.get(person.status, "Active")
    entry: dict[str, Any] = {
        "Worker_ID": person.workday_id,
        "Employee_ID": person.employee_number,
        "Worker": person.display_name,
        "Email_Address": person.email,
        "Business_Title": person.job_title,
        "Supervisory_Organization": person.department,
        "Company_Division": person.division,
        "Location": person.site.city,
        "Time_Zone": person.site.timezone,
        "Management_Level": f"Level {person.level}",
        "Worker_Status": status,
        "Hire_Date": f"{day(person.hire_date)}-08:00",
        "Date_of_Birth": day(person.birth_date),
        "Languages": _multi(person.languages, "Language"),
        "Skills": _multi(person.skills, "Skill"),
        "Interests": "; ".join(person.interests),
        "Last_Updated": iso(person.last_changed),
    }
    if manager is not None:
        entry["Manager_ID"] = manager.workday_id
        entry["Manager_Employee_ID"] = manager.employee_number
    if person.termination_date:
        entry["Termination_Date"] = f"{day(person.termination_date)}-08:00"
    return entry

"""A fake SCIM 2.0 service provider: bearer token, 1-based paging, lastModified filter."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rm_graphql.testing.common import GenerationCache, day, iso, json_response
from rm_graphql.testing.faults import Faults
from rm_graphql.testing.org import LEAVE, TERMINATED, Organisation, Person
from rm_graphql.testing.tokens import derived_secret

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
HRIS = "urn:example:params:scim:schemas:extension:hris:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
MAX_COUNT = 100
_FILTER = re.compile(r'^\s*(meta\.lastModified|userName)\s+(gt|ge|eq)\s+"([^"]*)"\s*$', re.I)


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """A SCIM error body; note `status` is a string in SCIM."""
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    return json_response(body, status, **(headers or {}))


class FakeSCIM:
    """A SCIM provider at /scim/v2 with one static bearer token."""

    kind = "scim"

    def __init__(self, org: Organisation | None = None, *, max_count: int = MAX_COUNT) -> None:
        self.org = org or Organisation()
        self.token = derived_secret(self.org.seed, "scim-bearer-token")
        self.max_count = max_count
        self.faults = Faults(_error)
        self.requests: Counter[str] = Counter()
        self._views = GenerationCache(self.org)
        self.app = Starlette(
            routes=[
                Route("/scim/v2/Users", self.users),
                Route("/scim/v2/ServiceProviderConfig", self.service_provider_config),
            ]
        )

    def credentials(self, base_url: str) -> dict[str, str]:
        """Base URL and bearer token for a fake served at `base_url`."""
        return {"base_url": f"{base_url}/scim/v2", "token": self.token}

    async def _guard(self, request: Request, name: str) -> Response | None:
        self.requests[name] += 1
        fault = await self.faults.before_api_request(lambda: None)
        if fault is not None:
            return fault
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            return _error(401, "Authorization failure: the bearer token is invalid")
        return None

    async def service_provider_config(self, request: Request) -> Response:
        """Capabilities (used as a connection check)."""
        if (refused := await self._guard(request, "config")) is not None:
            return refused
        return json_response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "filter": {"supported": True, "maxResults": self.max_count},
                "patch": {"supported": False},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            }
        )

    async def users(self, request: Request) -> Response:
        """ListResponse of users, 1-based startIndex, count capped at max_count."""
        if (refused := await self._guard(request, "users")) is not None:
            return refused
        try:
            start = max(1, int(request.query_params.get("startIndex", 1)))
            count = max(0, min(self.max_count, int(request.query_params.get("count", 100))))
        except ValueError:
            return _error(400, "startIndex and count must be integers")
        matches = self._filtered(request.query_params.get("filter"))
        if matches is None:
            return _error(400, "Unsupported filter (scimType invalidFilter)")
        listing = matches[self.faults.hidden_for_page() :]
        page = listing[start - 1 : start - 1 + count]
        body = {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(listing),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [view for _, view in page],
        }
        return json_response(body)

    def _filtered(self, expression: str | None) -> list[tuple[datetime, dict[str, Any]]] | None:
        """Users matching a supported filter; None for an unsupported one."""
        users: list[tuple[datetime, dict[str, Any]]] = self._views.get("users", self._build)
        if not expression:
            return users
        match = _FILTER.match(expression)
        if match is None:
            return None
        attribute, operator, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
        if attribute == "username":
            return [(at, user) for at, user in users if user["userName"] == value]
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if operator == "gt":
            return [(at, user) for at, user in users if at > moment]
        return [(at, user) for at, user in users if at >= moment]

    def _build(self) -> list[tuple[datetime, dict[str, Any]]]:
        base = "/scim/v2/Users"
        return [(p.last_changed, _user(self.org, p, base)) for p in self.org.current()]


def _enterprise(org: Organisation, person: Person, base: str) -> dict[str, Any]:
    """The RFC 7643 enterprise extension, with the manager as a reference."""
    manager = org.people.get(person.manager) if person.manager else None
    enterprise: dict[str, Any] = {
        "employeeNumber": person.employee_number,
        "department": person.department,
        "division": person.division,
        "organization": "Example Corp",
    }
    if manager is not None:
        enterprise["manager"] = {
            "value": manager.scim_id,
            "$ref": f"{base}/{manager.scim_id}",
            "displayName": manager.display_name,
        }
    return enterprise


def _user(org: Organisation, person: Person, base: str) -> dict[str, Any]:
    """One SCIM user with the enterprise extension and an HRIS extension for custom data."""
    status = {TERMINATED: "Terminated", LEAVE: "On Leave"}.get(person.status, "Active")
    hris = {
        "jobLevel": str(person.level),
        "languages": person.languages,
        "skills": person.skills,
        "interests": person.interests,
        "birthYear": person.birth_date.year,
        "hireDate": day(person.hire_date),
        "terminationDate": day(person.termination_date),
        "employmentStatus": status,
    }
    return {
        "schemas": [CORE, ENTERPRISE, HRIS],
        "id": person.scim_id,
        "externalId": person.employee_number,
        "userName": person.email,
        "name": {"givenName": person.first_name, "familyName": person.last_name},
        "displayName": person.display_name,
        "title": person.job_title,
        "active": person.status != TERMINATED,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "timezone": person.site.timezone,
        "addresses": [
            {"type": "work", "locality": person.site.city, "country": person.site.country}
        ],
        ENTERPRISE: _enterprise(org, person, base),
        HRIS: {key: value for key, value in hris.items() if value is not None},
        "meta": {
            "resourceType": "User",
            "created": iso(min(person.last_changed, _midnight(person))),
            "lastModified": iso(person.last_changed),
            "location": f"{base}/{person.scim_id}",
        },
    }


def _midnight(person: Person) -> datetime:
    """The start of the hire day, in the zone of last_changed."""
    return person.last_changed.replace(
        year=person.hire_date.year, month=person.hire_date.month, day=person.hire_date.day,
        hour=0, minute=0, second=0,
    )  # fmt: skip

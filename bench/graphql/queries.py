"""The measured operations on both servers, and how each answer maps to one comparable shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from strawberry.relay import to_base64

from bench.graphql.seed import Fixture
from rm_graphql.graphql.relay import encode_cursor

PERSON = "displayName email jobTitle department"
PAGE = 100

OURS_DASHBOARD = f"""query Dashboard($id: ID!) {{
  program(id: $id) {{ name pairs(first: {PAGE}) {{ nodes {{ score status
    mentor {{ employee {{ {PERSON} }} }} mentee {{ employee {{ {PERSON} }} }} }} }} }}
}}"""

PEER_DASHBOARD = f"""query Dashboard($id: BigInt!) {{
  programById(id: $id) {{ name pairsByProgramId(first: {PAGE}, orderBy: [SCORE_DESC, ID_ASC]) {{
    nodes {{ score status
      participantByMentorId {{ employeeByEmployeeId {{ {PERSON} }} }}
      participantByMenteeId {{ employeeByEmployeeId {{ {PERSON} }} }} }} }} }}
}}"""


def _our_pages(total: int) -> str:
    """All pairs in one request, as aliased pages of 100 (our largest page)."""
    pages = []
    for index in range(0, total, PAGE):
        after = f', after: "{encode_cursor(index - 1)}"' if index else ""
        pages.append(
            f"p{index // PAGE}: pairs(first: {PAGE}{after}) {{ nodes {{ score status "
            f"mentor {{ employee {{ {PERSON} }} }} mentee {{ employee {{ {PERSON} }} }} }} }}"
        )
    return "query DashboardAll($id: ID!) { program(id: $id) { name\n" + "\n".join(pages) + " } }"


PEER_DASHBOARD_ALL = PEER_DASHBOARD.replace(f"first: {PAGE}, ", "").replace(
    "Dashboard(", "DashboardAll("
)

OURS_NAME = "query Name($id: ID!) { program(id: $id) { name } }"
PEER_NAME = "query Name($id: BigInt!) { programById(id: $id) { name } }"

OURS_ME = f"""query Me {{ me {{ employee {{ {PERSON} }}
  participations {{ role status program {{ name status }} }} }} }}"""
PEER_ME = f"""query Me($employee: BigInt!) {{ employeeById(id: $employee) {{ {PERSON}
  participantsByEmployeeId(orderBy: ID_ASC) {{ nodes {{ role status
    programByProgramId {{ name status }} }} }} }} }}"""


def _person(employee: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(employee[key] for key in PERSON.split())


def _our_pairs(nodes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            float(n["score"]),
            n["status"],
            _person(n["mentor"]["employee"]),
            _person(n["mentee"]["employee"]),
        )
        for n in nodes
    ]


def _peer_pairs(nodes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            float(n["score"]),
            n["status"],
            _person(n["participantByMentorId"]["employeeByEmployeeId"]),
            _person(n["participantByMenteeId"]["employeeByEmployeeId"]),
        )
        for n in nodes
    ]


def _ours_dashboard(data: dict[str, Any]) -> Any:
    program = data["program"]
    pages = [
        program[key] for key in sorted(k for k in program if k.startswith("p")) if key != "pairs"
    ]
    nodes = [node for page in pages or [program["pairs"]] for node in page["nodes"]]
    return program["name"], _our_pairs(nodes)


def _peer_dashboard(data: dict[str, Any]) -> Any:
    program = data["programById"]
    return program["name"], _peer_pairs(program["pairsByProgramId"]["nodes"])


def _ours_me(data: dict[str, Any]) -> Any:
    me = data["me"]
    parts = [
        (p["role"], p["status"], p["program"]["name"], p["program"]["status"])
        for p in me["participations"]
    ]
    return _person(me["employee"]), parts


def _peer_me(data: dict[str, Any]) -> Any:
    employee = data["employeeById"]
    nodes = employee["participantsByEmployeeId"]["nodes"]
    parts = [
        (p["role"], p["status"], p["programByProgramId"]["name"], p["programByProgramId"]["status"])
        for p in nodes
    ]
    return _person(employee), parts


@dataclass(frozen=True)
class Operation:
    """One operation as each server spells it, with the caller and the comparable shape."""

    name: str
    ours: str
    ours_variables: dict[str, Any]
    peer: str
    peer_variables: dict[str, Any]
    caller: str  # "admin" or "participant"
    ours_shape: Callable[[dict[str, Any]], Any]
    peer_shape: Callable[[dict[str, Any]], Any]


def _name_of(root: str) -> Callable[[dict[str, Any]], Any]:
    def shape(data: dict[str, Any]) -> Any:
        return data[root]["name"]

    return shape


def operations(fixture: Fixture) -> list[Operation]:
    """The dashboard (100 pairs, and all pairs), `program { name }` and `me`."""
    ours, peer = {"id": to_base64("Program", fixture.program_id)}, {"id": fixture.program_id}
    dashboard = (_ours_dashboard, _peer_dashboard)
    return [
        Operation("dashboard 100", OURS_DASHBOARD, ours, PEER_DASHBOARD, peer, "admin", *dashboard),
        Operation(f"dashboard {fixture.pairs}", _our_pages(fixture.pairs), ours,
                  PEER_DASHBOARD_ALL, peer, "admin", *dashboard),
        Operation("program { name }", OURS_NAME, ours, PEER_NAME, peer, "admin",
                  _name_of("program"), _name_of("programById")),
        Operation("me", OURS_ME, {}, PEER_ME, {"employee": fixture.me_employee_id},
                  "participant", _ours_me, _peer_me),
    ]  # fmt: skip

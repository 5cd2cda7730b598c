"""Generated operations: the fast path and normal execution give byte-for-byte the same answer.

Hypothesis builds dashboard-shaped queries from the schema's fields (aliases, fragments,
__typename, page arguments including invalid ones, fields the compiler does not cover) and
asks them as every kind of caller: admins, program managers, KPI readers, participants who
see part of the data, strangers, and callers of another tenant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rm_graphql.graphql.fastpath.catalog import SPECS
from rm_graphql.graphql.relay import encode_cursor
from rm_graphql.graphql.schema import schema
from tests.graphql.test_fastpath import World, both_ways, world
from tests.support.api import Api

__all__ = ["world"]  # the fixture, shared with test_fastpath

EXAMPLES = int(os.environ.get("RM_FASTPATH_EXAMPLES", "100"))
GRAPHQL = schema._schema
# Fields outside the compiled subset, so some operations must fall back (and still agree).
UNCOVERED = {
    "Pair": ["publishedAt", "history { toStatus }"],
    "Participant": ["availability"],
    "Program": ["objectives"],
}
VALID_PAGES = st.fixed_dictionaries(
    {},
    optional={
        "first": st.sampled_from([0, 1, 2, 3, 50, 100]),
        "after": st.sampled_from([encode_cursor(0), encode_cursor(1), encode_cursor(9)]),
        "status": st.sampled_from(["ACTIVE", "PROPOSED", "COMPLETED"]),
    },
)
# Arguments normal execution rejects (or the compiler leaves to it): the answers must agree.
OTHER_PAGES = st.sampled_from([{"first": 101}, {"first": -1}, {"after": "bad"}, {"last": 1}])


@dataclass(frozen=True)
class Op:
    text: str
    program: str  # which program $id names
    covered: bool  # the fast path must answer it


@dataclass(frozen=True)
class Part:
    text: str
    covered: bool


def _arguments(values: dict[str, object]) -> str:
    if not values:
        return ""
    parts = [f'{k}: "{v}"' if k == "after" else f"{k}: {v}" for k, v in values.items()]
    return "(" + ", ".join(parts) + ")"


@st.composite
def selection(draw: st.DrawFn, type_name: str, depth: int) -> Part:
    """A selection set on `type_name`: covered fields, sometimes aliased or in fragments."""
    graphql_type = GRAPHQL.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    names = [n for n in SPECS[type_name] if n in graphql_type.fields]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True))
    parts = [draw(_field(graphql_type, name, depth)) for name in chosen]
    if draw(st.booleans()):
        parts.append(Part("__typename", True))
    if type_name in UNCOVERED and draw(st.integers(0, 9)) == 0:
        parts.append(Part(draw(st.sampled_from(UNCOVERED[type_name])), False))
    text = " ".join(part.text for part in parts)
    if draw(st.booleans()):
        text = f"... on {type_name} {{ {text} }}"
    return Part("{ " + text + " }", all(part.covered for part in parts))


@st.composite
def _field(draw: st.DrawFn, graphql_type: GraphQLObjectType, name: str, depth: int) -> Part:
    alias = draw(st.sampled_from(["", f"a_{name}: "]))
    named = get_named_type(graphql_type.fields[name].type)
    if is_leaf_type(named):
        return Part(alias + name, True)
    if depth <= 0:
        return Part(alias + name + " { __typename }", True)
    arguments, covered = "", True
    if (graphql_type.name, name) == ("Program", "pairs"):
        covered = draw(st.integers(0, 5)) > 0
        arguments = _arguments(draw(VALID_PAGES if covered else OTHER_PAGES))
    below = draw(selection(named.name, depth - 1))
    return Part(alias + name + arguments + " " + below.text, covered and below.covered)


@st.composite
def operation(draw: st.DrawFn) -> Op:
    roots = draw(st.lists(st.sampled_from(["program", "me", "myPairs"]), min_size=1, max_size=3))
    parts = []
    for index, root in enumerate(roots):
        alias = f"r{index}: " if index else ""
        target = {"program": "Program", "me": "Me", "myPairs": "Pair"}[root]
        arguments = "(id: $id)" if root == "program" else ""
        below = draw(selection(target, depth=4))
        parts.append(Part(alias + root + arguments + " " + below.text, below.covered))
    variables = "($id: ID!)" if "program" in roots else ""
    program = draw(st.sampled_from(["active", "open", "draft", "elsewhere", "not a program"]))
    text = f"query Generated{variables} {{ {' '.join(part.text for part in parts)} }}"
    return Op(text, program, all(part.covered for part in parts))


CALLERS = [
    "admin",
    "manager",
    "kpi",
    "mentee",
    "mentor by external id",
    "draft mentee",
    "stranger",
    "other tenant admin",
    "other tenant participant",
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(op=operation(), callers=st.lists(st.sampled_from(CALLERS), min_size=1, max_size=3))
def test_generated_operations_agree(api: Api, world: World, op: Op, callers: list[str]) -> None:
    program = world.programs.get(op.program, "UGFpcjox")  # a Pair's id: not a program
    variables = {"id": program} if "$id" in op.text else {}
    for caller in callers:
        fast, normal, answered = both_ways(api, op.text, variables, world.tokens[caller])
        assert fast == normal, (caller, op.text)
        assert answered == op.covered, (caller, op.text)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_dashboard_agrees_for_every_caller(api: Api, world: World, caller: str) -> None:
    query = """query($id: ID!) { program(id: $id) { id name pairs { totalCount
      pageInfo { hasNextPage endCursor } edges { cursor node { id score status pinned
      scoreBreakdown { criterion points } mentor { role employee { displayName email manager { id } } }
      mentee { employee { displayName } } } } } }
      me { subject scopes employee { id email } participations { id program { name } } }
      myPairs { id mentor { id } mentee { id } } }"""
    for program in world.programs.values():
        fast, normal, answered = both_ways(api, query, {"id": program}, world.tokens[caller])
        assert answered
        assert fast == normal


PAGE = """query($id: ID!) { program(id: $id) { pairs%s { totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { id score } } nodes { id } } } }"""


@pytest.mark.parametrize("caller", ["admin", "mentee"])
def test_every_page_agrees(api: Api, world: World, caller: str) -> None:
    afters = [None, encode_cursor(0), encode_cursor(1), encode_cursor(3), encode_cursor(9)]
    for first in (None, 0, 1, 2, 3, 100):
        for after in afters:
            for status in (None, "ACTIVE"):
                values = {"first": first, "after": after, "status": status}
                query = PAGE % _arguments({k: v for k, v in values.items() if v is not None})
                variables = {"id": world.programs["active"]}
                fast, normal, answered = both_ways(api, query, variables, world.tokens[caller])
                assert answered
                assert fast == normal, query

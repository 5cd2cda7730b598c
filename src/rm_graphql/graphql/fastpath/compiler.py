"""Compile a collected query into one SQL statement that returns the response's `data` as JSON.

The statement resolves the caller (tenant by slug, employee by subject or email) in a CTE and
applies the same rules as the services: tenant scope everywhere, a participant sees only the
published pairs they are in, programs only where they take part (or open ones), and the
directory (an employee's manager) only for HR admins and program managers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from rm_graphql.graphql.fastpath.catalog import TABLES, Column, NodeId, Relation, Spec
from rm_graphql.graphql.fastpath.document import NotCovered, Operation, Selected
from rm_graphql.graphql.fastpath.sqljson import SqlJson, quote

ACTOR = """SELECT t.id AS tenant_id, (
    SELECT e.id FROM employees e
    WHERE e.tenant_id = t.id AND (e.external_id = {subject} OR e.email IN ({email1}, {email2}))
    ORDER BY e.id LIMIT 1) AS employee_id
  FROM tenants t WHERE t.slug = {tenant}"""


@dataclass(frozen=True)
class Variant:
    """What changes the SQL's shape: the caller's role, and each argument site's shape."""

    manages_programs: bool  # rm:admin or rm:program: every pair; the directory
    sees_programs: bool  # managers and rm:kpi readers see every program of the tenant
    sites: tuple[str, ...]  # per argument site: "null", "id", "page" or "page+status"


class Compiler:
    """Builds the statement for one variant.

    To-one relations become LEFT JOINs of the row they hang off (a shallow statement: SQLite's
    parser has a small stack), lists become subqueries with joins of their own.
    """

    def __init__(self, sql: SqlJson, fields: dict[str, dict[str, Spec]], variant: Variant) -> None:
        self.sql = sql
        self.fields = fields
        self.variant = variant
        self.joins: list[str] = []  # of the FROM clause being built
        self._aliases = itertools.count(1)

    def statement(self, operation: Operation) -> str:
        """SELECT <data as JSON text> FROM actor: no row when the tenant does not exist yet."""
        sql = self.sql
        actor = ACTOR.format(
            subject=sql.param("subject"),
            email1=sql.param("email1"),
            email2=sql.param("email2"),
            tenant=sql.param("tenant"),
        )
        data = self.object("Query", "actor", operation.root)
        joins = "".join(f" {join}" for join in self.joins)
        return f"{sql.with_actor(actor)}\nSELECT {sql.as_text(data)} FROM actor{joins}"

    def alias(self) -> str:
        return f"r{next(self._aliases)}"

    def object(self, type_name: str, alias: str, selections: tuple[Selected, ...]) -> str:
        return self.sql.obj([(s.key, self.field(type_name, alias, s)) for s in selections])

    def field(self, type_name: str, alias: str, selected: Selected) -> str:
        if selected.name == "__typename":
            return self.sql.text(quote(type_name))
        spec = self.fields.get(type_name, {}).get(selected.name)
        if spec is None:
            raise NotCovered(f"{type_name}.{selected.name}")
        if isinstance(spec, Column):
            return self.sql.scalar(spec.kind, f"{alias}.{spec.column}")
        if isinstance(spec, NodeId):
            return self.sql.global_id(type_name, f"{alias}.id")
        if isinstance(spec, Relation):
            return self.relation(spec, alias, selected)
        special = SPECIAL.get((type_name, selected.name))
        if special is None:
            raise NotCovered(f"{type_name}.{selected.name}")
        return special(self, alias, selected)

    # Rules --------------------------------------------------------------------------------

    def program_visible(self, alias: str) -> list[str]:
        """programs.service._visible_to: managers and KPI readers see all; else own or OPEN."""
        if self.variant.sees_programs:
            return []
        mine = (
            "SELECT x.program_id FROM participants x "
            "WHERE x.tenant_id = actor.tenant_id AND x.employee_id = actor.employee_id"
        )
        return [f"({alias}.enrolment_mode = 'OPEN' OR {alias}.id IN ({mine}))"]

    def own_published_pairs(self, alias: str) -> list[str]:
        """pairing.repository: published, and the caller is the mentor or the mentee."""
        mine = "SELECT m.id FROM participants m WHERE m.employee_id = actor.employee_id"
        return [
            f"{alias}.published_at IS NOT NULL",
            f"({alias}.mentor_id IN ({mine}) OR {alias}.mentee_id IN ({mine}))",
        ]

    # Objects and lists --------------------------------------------------------------------

    def relation(self, spec: Relation, parent: str, selected: Selected) -> str:
        if spec.rule == "directory" and not self.variant.manages_programs:
            return self.sql.null
        child = self.alias()
        conditions = [
            f"{child}.id = {parent}.{spec.column}",
            f"{child}.tenant_id = actor.tenant_id",
        ]
        if spec.rule == "program":
            conditions += self.program_visible(child)
        return self.joined(spec.returns, child, conditions, selected)

    def joined(self, type_name: str, alias: str, conditions: list[str], selected: Selected) -> str:
        """The object of a LEFT JOINed row, null when no row matched."""
        self.joins.append(f"LEFT JOIN {TABLES[type_name]} {alias} ON {' AND '.join(conditions)}")
        body = self.object(type_name, alias, selected.children)
        return self.sql.nullable(f"{alias}.id IS NOT NULL", body)

    def aggregate(self, element: Callable[[], str], source: str, alias: str, order: str) -> str:
        """SELECT <array of element> FROM <source> alias + the joins the element needs."""
        outer, self.joins = self.joins, []
        try:
            array = self.sql.array(element(), order)
            joins = "".join(f" {join}" for join in self.joins)
        finally:
            self.joins = outer
        return self.sql.sub(f"SELECT {array} FROM {source} {alias}{joins}")  # noqa: S608 - names from the catalog; values are bind parameters

    def rows(
        self, type_name: str, conditions: list[str], order: str, selected: Selected, page: str = ""
    ) -> str:
        """A JSON array of rows in `order` ({a} is the row alias), optionally one page."""
        alias = self.alias()
        where = " AND ".join(conditions).format(a=alias)
        ordering = order.format(a=alias)
        inner = f"SELECT * FROM {TABLES[type_name]} {alias} WHERE {where} ORDER BY {ordering}{page}"  # noqa: S608 - names from the catalog; values are bind parameters
        return self.aggregate(
            lambda: self.object(type_name, alias, selected.children), f"({inner})", alias, ordering
        )


def _program(compiler: Compiler, _alias: str, selected: Selected) -> str:
    assert selected.site is not None
    if compiler.variant.sites[selected.site] == "null":
        return compiler.sql.null
    program = compiler.alias()
    conditions = [
        f"{program}.id = {compiler.sql.param(f's{selected.site}_id')}",
        f"{program}.tenant_id = actor.tenant_id",
        *compiler.program_visible(program),
    ]
    return compiler.joined("Program", program, conditions, selected)


def _me(compiler: Compiler, _alias: str, selected: Selected) -> str:
    return compiler.object("Me", "actor", selected.children)


def _subject(compiler: Compiler, _alias: str, _selected: Selected) -> str:
    return compiler.sql.text(compiler.sql.param("subject"))


def _scopes(compiler: Compiler, _alias: str, _selected: Selected) -> str:
    return compiler.sql.param_json("scopes")


def _participations(compiler: Compiler, _alias: str, selected: Selected) -> str:
    conditions = ["{a}.tenant_id = actor.tenant_id", "{a}.employee_id = actor.employee_id"]
    return compiler.rows("Participant", conditions, "{a}.id", selected)


def _my_pairs(compiler: Compiler, _alias: str, selected: Selected) -> str:
    conditions = ["{a}.tenant_id = actor.tenant_id", *compiler.own_published_pairs("{a}")]
    return compiler.rows("Pair", conditions, "{a}.id", selected)


def _score_breakdown(compiler: Compiler, alias: str, selected: Selected) -> str:
    """Pair.score_breakdown's members as ScoreItems, sorted by criterion (ScoreItem: key, value)."""
    sql, item = compiler.sql, compiler.alias()
    members = f"SELECT key, value FROM {sql.json_members(f'{alias}.score_breakdown')}"  # noqa: S608 - names from the catalog; values are bind parameters
    ordered = f"({members} ORDER BY {sql.key_order('key')})"
    return compiler.aggregate(
        lambda: compiler.object("ScoreItem", item, selected.children),
        ordered,
        item,
        sql.key_order(f"{item}.key"),
    )


def _pairs(compiler: Compiler, alias: str, selected: Selected) -> str:
    from rm_graphql.graphql.fastpath.connection import pairs_connection

    return pairs_connection(compiler, alias, selected)


SPECIAL = {
    ("Query", "program"): _program,
    ("Query", "me"): _me,
    ("Query", "myPairs"): _my_pairs,
    ("Me", "subject"): _subject,
    ("Me", "scopes"): _scopes,
    ("Me", "participations"): _participations,
    ("Pair", "scoreBreakdown"): _score_breakdown,
    ("Program", "pairs"): _pairs,
}

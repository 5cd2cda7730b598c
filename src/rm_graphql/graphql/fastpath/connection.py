"""Program.pairs as one SQL expression: totalCount, pageInfo, nodes and edges of one page.

Pages follow graphql.relay exactly: `first`/`after` over offset cursors, 50 by default, at most
100; `last`/`before` and invalid values are left to normal execution (which reports them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from rm_graphql.graphql.fastpath.document import NotCovered, Selected
from rm_graphql.graphql.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor

if TYPE_CHECKING:
    from rm_graphql.graphql.fastpath.compiler import Compiler

PAIR_ORDER = "{a}.score DESC, {a}.id"
MAX_OFFSET = 2**62


def bind_page(site: int, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The shape ("page" or "page+status") and parameters of one `pairs(...)` call."""
    if args.get("last") is not None or args.get("before") is not None:
        raise NotCovered("last/before")
    first, after, status = args.get("first"), args.get("after"), args.get("status")
    if first is not None and not 0 <= first <= MAX_PAGE_SIZE:
        raise NotCovered("page size out of range")
    try:
        offset = decode_cursor(after) + 1 if after else 0
    except GraphQLError as error:
        raise NotCovered("invalid cursor") from error
    if offset > MAX_OFFSET:
        raise NotCovered("offset out of range")
    params: dict[str, Any] = {
        f"s{site}_offset": offset,
        f"s{site}_limit": DEFAULT_PAGE_SIZE if first is None else first,
    }
    if status is None:
        return "page", params
    params[f"s{site}_status"] = status.value
    return "page+status", params


def _conditions(compiler: Compiler, program: str, selected: Selected) -> list[str]:
    assert selected.site is not None
    conditions = ["{a}.tenant_id = actor.tenant_id", f"{{a}}.program_id = {program}.id"]
    if compiler.variant.sites[selected.site] == "page+status":
        conditions.append(f"{{a}}.status = {compiler.sql.param(f's{selected.site}_status')}")
    if not compiler.variant.manages_programs:
        conditions += compiler.own_published_pairs("{a}")
    return conditions


def _page(compiler: Compiler, site: int) -> str:
    sql = compiler.sql
    return f" LIMIT {sql.param(f's{site}_limit')} OFFSET {sql.param(f's{site}_offset')}"


def _edges(compiler: Compiler, conditions: list[str], selected: Selected, page: str) -> str:
    """Edges need each row's absolute index for its cursor: a window function over the list."""
    sql, alias = compiler.sql, compiler.alias()
    where = " AND ".join(conditions).format(a=alias)
    order = PAIR_ORDER.format(a=alias)
    inner = (
        f"(SELECT {alias}.*, row_number() OVER (ORDER BY {order}) - 1 AS rn "  # noqa: S608 - names from the catalog; values are bind parameters
        f"FROM pairs {alias} WHERE {where} ORDER BY {order}{page})"
    )

    def edge() -> str:
        members = []
        for child in selected.children:
            if child.name == "cursor":
                members.append((child.key, sql.cursor(f"{alias}.rn")))
            elif child.name == "node":
                members.append((child.key, compiler.object("Pair", alias, child.children)))
            else:
                members.append((child.key, compiler.field("PairEdge", alias, child)))
        return sql.obj(members)

    return compiler.aggregate(edge, inner, alias, order)


def _page_info(compiler: Compiler, selected: Selected, total: str, site: int) -> str:
    sql = compiler.sql
    offset, limit = sql.param(f"s{site}_offset"), sql.param(f"s{site}_limit")
    count = sql.least(limit, sql.greatest("0", f"{total} - {offset}"))
    values = {
        "hasNextPage": sql.boolean(f"{offset} + {count} < {total}"),
        "hasPreviousPage": sql.boolean(f"{offset} > 0"),
        "startCursor": sql.nullable(f"{count} > 0", sql.cursor(offset)),
        "endCursor": sql.nullable(f"{count} > 0", sql.cursor(f"{offset} + {count} - 1")),
    }
    members = [
        (child.key, values.get(child.name) or compiler.field("PageInfo", "", child))
        for child in selected.children
    ]
    return sql.obj(members)


def pairs_connection(compiler: Compiler, program: str, selected: Selected) -> str:
    """The connection object; the count runs only when totalCount or pageInfo asks for it."""
    assert selected.site is not None
    site, sql = selected.site, compiler.sql
    conditions = _conditions(compiler, program, selected)
    page = _page(compiler, site)
    counted = compiler.alias()
    total = f"{counted}.total"
    members = []
    for child in selected.children:
        if child.name == "totalCount":
            members.append((child.key, total))
        elif child.name == "pageInfo":
            members.append((child.key, _page_info(compiler, child, total, site)))
        elif child.name == "nodes":
            members.append((child.key, compiler.rows("Pair", conditions, PAIR_ORDER, child, page)))
        elif child.name == "edges":
            members.append((child.key, _edges(compiler, conditions, child, page)))
        else:
            members.append((child.key, compiler.field("PairConnection", program, child)))
    body = sql.obj(members)
    if not any(child.name in ("totalCount", "pageInfo") for child in selected.children):
        return body
    where = " AND ".join(conditions).format(a="c")
    count = f"SELECT count(*) AS total FROM pairs c WHERE {where}"  # noqa: S608 - names from the catalog; values are bind parameters
    return sql.sub(f"SELECT {body} FROM ({count}) {counted}")  # noqa: S608 - names from the catalog; values are bind parameters

"""Portable SQL for the KPI aggregates: date arithmetic, periods and medians on both dialects."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    String,
    case,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from rm_graphql.models.base import UtcDateTime

# A column of a mapped class or any SQL expression; a select and a row of any columns.
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


class days_between(FunctionElement[float]):
    """`later - earlier` in (fractional) days, for datetimes and dates alike."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM (CAST({later} AS TIMESTAMPTZ) - CAST({earlier} AS TIMESTAMPTZ)))"
        " / 86400.0)"
    )


class plus_days(FunctionElement[Any]):
    """A timestamp moved on by a whole number of days, comparable with stored timestamps."""

    inherit_cache = True
    name = "plus_days"

    def __init__(self, value: Any, days: int) -> None:
        super().__init__(value, literal_column(str(int(days))))
        self.type = UtcDateTime()


@compiles(plus_days, "sqlite")
def _plus_days_sqlite(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    value, days = (compiler.process(clause, **kw) for clause in element.clauses)
    # The stored text format ('YYYY-MM-DD HH:MM:SS.ffffff'), so plain comparisons hold.
    return f"strftime('%Y-%m-%d %H:%M:%f000', {value}, '+' || {days} || ' days')"


@compiles(plus_days, "postgresql")
def _plus_days_postgresql(element: plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    value, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST({value} AS TIMESTAMPTZ) + make_interval(days => {days}))"


class month_floor(FunctionElement[Any]):
    """Midnight (UTC) on the first day of a timestamp's month, comparable with stored ones."""

    inherit_cache = True
    name = "month_floor"

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.type = UtcDateTime()


@compiles(month_floor, "sqlite")
def _month_floor_sqlite(element: month_floor, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-01 00:00:00.000000', {compiler.process(element.clauses, **kw)})"


@compiles(month_floor, "postgresql")
def _month_floor_postgresql(element: month_floor, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"(date_trunc('month', {value} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


class year_of(FunctionElement[int]):
    """The calendar year of a date or datetime, as an integer."""

    type = Integer()
    inherit_cache = True
    name = "year_of"


@compiles(year_of, "sqlite")
def _year_of_sqlite(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%Y', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(year_of, "postgresql")
def _year_of_postgresql(element: year_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(EXTRACT(YEAR FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class week_start(FunctionElement[str]):
    """The Monday (UTC) of a timestamp's ISO week: a date, or 'YYYY-MM-DD' text on SQLite."""

    type = String()
    inherit_cache = True
    name = "week_start"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', {value} AT TIME ZONE 'UTC') AS DATE)"


class month_start(FunctionElement[str]):
    """The first day (UTC) of a timestamp's month: a date, or 'YYYY-MM-DD' text on SQLite."""

    type = String()
    inherit_cache = True
    name = "month_start"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored timestamps are 'YYYY-MM-DD HH:MM:SS...' text; slicing is cheaper than strftime.
    return f"(substr({compiler.process(element.clauses, **kw)}, 1, 7) || '-01')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('month', {value} AT TIME ZONE 'UTC') AS DATE)"


def utc(value: Any) -> ColumnElement[Any]:
    """A timezone-aware datetime as a bound parameter stored the way our columns are."""
    return literal(value, UtcDateTime())


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM() this to count the rows where the condition holds (portable COUNT ... FILTER)."""
    return case((condition, 1), else_=0)


def median_of(values: AnySelect) -> AnySelect:
    """The median of a one-column select labelled `v`, and how many values it had.

    Window functions rank the values; the middle one (or the mean of the middle two) is kept.
    Both dialects run this; neither needs percentile_cont.
    """
    source = values.subquery("median_values")
    ranked = select(
        source.c.v,
        func.row_number().over(order_by=source.c.v).label("rank"),
        func.count().over().label("size"),
    ).subquery("median_ranked")
    middle = ranked.c.rank.in_([(ranked.c.size + 1) // 2, (ranked.c.size + 2) // 2])
    return select(
        func.avg(ranked.c.v).label("median"), func.max(ranked.c.size).label("size")
    ).where(middle)


async def one(session: AsyncSession, statement: AnySelect) -> AnyRow:
    """The single row of an aggregate statement."""
    return (await session.execute(statement)).one()

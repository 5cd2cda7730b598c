"""The compiled read path: one SQL statement answers a covered query; else normal execution.

A document is parsed and validated with the schema's own rules once, then compiled per caller
role and argument shape; each request binds its variables and runs one statement whose single
column is the response's `data`, already JSON. Anything unusual (a field or argument the
compiler does not cover, an unknown tenant, any error) returns None and the request runs
through Strawberry as before, so errors are reported and masked there.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.schema import Schema
from strawberry.types import ExecutionResult

from rm_graphql.auth.principal import Principal
from rm_graphql.graphql.fastpath import binding
from rm_graphql.graphql.fastpath.catalog import Spec, covered_fields
from rm_graphql.graphql.fastpath.compiler import Compiler, Variant
from rm_graphql.graphql.fastpath.connections import KeptConnections, PerStatement, SqliteReaders
from rm_graphql.graphql.fastpath.document import NotCovered, Operation, Rules, checked_document
from rm_graphql.graphql.fastpath.document import operation as collect_operation
from rm_graphql.graphql.fastpath.response import RawJSON, record_metrics
from rm_graphql.graphql.fastpath.sqljson import SqlJson, for_dialect

logger = logging.getLogger(__name__)

CACHE_SIZE = 1024
TOO_DEEP = ""  # the statement of a variant the database cannot parse
KEPT_CONNECTIONS = 10  # per process, as PostGraphile's default pool; requests beyond wait
SQLITE_READERS = 4  # threads (each with its connection); two per core is plenty
# Extensions whose work the fast path does itself (validation, limits, metrics) or does not
# need (caches, masking: a fast answer has no errors; one transaction: one statement).
KNOWN_EXTENSIONS = frozenset(
    {
        "ParserCache",
        "ValidationCache",
        "QueryDepthLimiter",
        "MaxAliasesLimiter",
        "MaxTokensLimiter",
        "OperationMetrics",
        "MaskUnexpectedErrors",
        "UnitOfWork",
    }
)


@dataclass
class Prepared:
    """A covered operation and its SQL per variant."""

    operation: Operation
    statements: dict[Variant, str] = field(default_factory=dict)


class FastPath:
    """Answers covered queries with one statement; see the module docstring."""

    def __init__(self, schema: Schema, engine: AsyncEngine, sql: SqlJson) -> None:
        self.schema = schema
        self.graphql_schema = schema._schema
        self.sql = sql
        self.rules = Rules.of(schema)
        self.fields: dict[str, dict[str, Spec]] = covered_fields(schema)
        self.connections: KeptConnections | SqliteReaders | PerStatement = (
            KeptConnections(engine, KEPT_CONNECTIONS)
            if sql.is_postgres
            else SqliteReaders.of(engine, SQLITE_READERS)
        )
        self.answered = 0  # requests answered here, for tests and metrics
        self._prepared: OrderedDict[tuple[str, str | None], Prepared | None] = OrderedDict()

    @classmethod
    def create(cls, schema: Schema, engine: AsyncEngine) -> FastPath | None:
        """The fast path for this schema and database, or None when it cannot be exact."""
        sql = for_dialect(engine.dialect.name)
        unknown = {type(e).__name__ for e in schema.get_extensions()} - KNOWN_EXTENSIONS
        if sql is None or unknown:
            logger.warning("fast path off: dialect %s, extensions %s", engine.dialect.name, unknown)
            return None
        return cls(schema, engine, sql)

    def prepared(self, query: str, operation_name: str | None) -> Prepared | None:
        """The covered operation of a document (cached, including "not covered")."""
        key = (query, operation_name)
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        try:
            document = checked_document(self.schema, self.rules, query)
            found = Prepared(collect_operation(self.schema._schema, document, operation_name))
            self.statement(found, Variant(True, True, binding.default_shapes(found.operation)))
            self.statement(found, Variant(False, False, binding.default_shapes(found.operation)))
        except NotCovered as reason:
            logger.debug("not covered: %s", reason)
            found = None
        self._prepared[key] = found
        if len(self._prepared) > CACHE_SIZE:
            self._prepared.popitem(last=False)
        return found

    def statement(self, prepared: Prepared, variant: Variant) -> str:
        sql = prepared.statements.get(variant)
        if sql is None:
            sql = Compiler(self.sql, self.fields, variant).statement(prepared.operation)
            prepared.statements[variant] = sql
        if sql == TOO_DEEP:
            raise NotCovered("too deep for this database's parser")
        return sql

    @property
    def statements(self) -> int:
        """Statements run by the fast path (one per answered or attempted request)."""
        return self.connections.statements

    async def close(self) -> None:
        await self.connections.close()

    async def execute(
        self,
        principal: Principal | None,
        query: str | None,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The result of a covered query, or None to execute it normally."""
        data = await self.answer(principal, query, operation_name, variables)
        if data is None:
            return None
        return ExecutionResult(data=cast(dict[str, Any], RawJSON(data)), errors=None)

    async def answer(
        self,
        principal: Principal | None,
        query: object,
        operation_name: object,
        variables: object,
    ) -> str | None:
        """The `data` of a covered query as JSON text, or None to execute it normally."""
        if principal is None or not isinstance(query, str) or not query:
            return None
        if not isinstance(operation_name, str | None) or not isinstance(variables, dict | None):
            return None
        started = time.perf_counter()
        prepared = self.prepared(query, operation_name)
        if prepared is None:
            return None
        try:
            variant, params = binding.bind(
                self.graphql_schema, prepared.operation, variables, principal
            )
            data = await self.connections.fetch(self.statement(prepared, variant), params)
        except NotCovered:
            return None
        except Exception as error:
            if "parser stack overflow" in str(error):  # SQLite: this shape stays normal
                prepared.statements[variant] = TOO_DEEP
            else:
                logger.exception("fast path failed; executing normally")
            return None
        if data is not None:  # else the tenant is new: normal execution creates it
            self.answered += 1
            name = prepared.operation.definition.name
            record_metrics(name.value if name else None, time.perf_counter() - started)
        return data

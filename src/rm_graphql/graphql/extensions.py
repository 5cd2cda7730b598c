"""Schema extensions: the per-request unit of work, and masking of unexpected errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.graphql import OperationType

from rm_graphql.errors import DomainError
from rm_graphql.graphql.context import Context

logger = logging.getLogger("rm_graphql.graphql")


class UnitOfWork(SchemaExtension):
    """Commit once when the operation succeeded; roll back when any error was raised."""

    async def on_execute(self) -> AsyncIterator[None]:
        context: Context = self.execution_context.context
        context.readonly = self.execution_context.operation_type is OperationType.QUERY
        failed = True
        try:
            yield
            result = self.execution_context.result
            failed = bool(result is not None and result.errors)
        finally:
            await context.finish(commit=not failed)


def is_expected(error: GraphQLError) -> bool:
    """Errors from parsing, validation, argument checks and the domain are the client's to see."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError | DomainError)


class MaskUnexpectedErrors(MaskErrors):
    """Hide internal failures behind a request id; log them with the same id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [_with_domain_code(error) for error in super()._process_errors(errors)]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(str(part) for part in error.path or []),
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            f"Unexpected error (request id {request_id}).",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


def _with_domain_code(error: GraphQLError) -> GraphQLError:
    """A DomainError raised by a query field carries its code, like a mutation's typed result."""
    original = error.original_error
    if not isinstance(original, DomainError):
        return error
    return GraphQLError(
        original.message,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": original.code},
    )

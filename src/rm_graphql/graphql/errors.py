"""Typed errors in the schema, and the one place that renders a DomainError into them."""

from __future__ import annotations

import strawberry

from rm_graphql import errors


@strawberry.interface(description="An expected failure, with a stable machine-readable code.")
class Error:
    code: str
    message: str


@strawberry.type(description="One invalid input field.")
class FieldError:
    path: list[str]
    message: str


@strawberry.type
class ValidationError(Error):
    fields: list[FieldError]


@strawberry.type
class NotFound(Error):
    pass


@strawberry.type
class NotAllowed(Error):
    pass


@strawberry.type
class Conflict(Error):
    pass


@strawberry.type
class InvalidTransition(Error):
    from_state: str
    to_state: str


ErrorType = ValidationError | NotFound | NotAllowed | Conflict | InvalidTransition


def render(error: errors.DomainError) -> ErrorType:
    """Map a service's DomainError onto its GraphQL error type."""
    if isinstance(error, errors.ValidationFailed):
        fields = [FieldError(path=list(p.path), message=p.message) for p in error.problems]
        return ValidationError(code=error.code, message=error.message, fields=fields)
    if isinstance(error, errors.InvalidTransition):
        return InvalidTransition(
            code=error.code,
            message=error.message,
            from_state=error.from_state,
            to_state=error.to_state,
        )
    if isinstance(error, errors.NotFound):
        return NotFound(code=error.code, message=error.message)
    if isinstance(error, errors.NotAllowed):
        return NotAllowed(code=error.code, message=error.message)
    return Conflict(code=error.code, message=error.message)

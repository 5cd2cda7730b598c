"""Expected failures: one base class, raised by services, rendered once in the GraphQL layer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One invalid input field: its path in the input object and what is wrong with it."""

    path: tuple[str, ...]
    message: str


class DomainError(Exception):
    """An expected outcome that the caller can act on; never a 500."""

    code = "ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist for this caller (another tenant's ids answer the same)."""

    code = "NOT_FOUND"


class NotAllowed(DomainError):
    """The caller is known but may not do this."""

    code = "NOT_ALLOWED"


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, a lock, a full capacity)."""

    code = "CONFLICT"


class InvalidTransition(DomainError):
    """A state machine refused the move."""

    code = "INVALID_TRANSITION"

    def __init__(self, message: str, from_state: str, to_state: str) -> None:
        super().__init__(message)
        self.from_state = from_state
        self.to_state = to_state


class ValidationFailed(DomainError):
    """The input is malformed; every problem names its field."""

    code = "VALIDATION_ERROR"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{'.'.join(p.path)}: {p.message}" for p in problems))
        self.problems = problems

    @classmethod
    def single(cls, path: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(tuple(path.split(".")), message)])

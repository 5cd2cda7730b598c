"""Running a mutation's service call: inside a SAVEPOINT, expected failures become typed results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.errors import Conflict, DomainError
from rm_graphql.graphql.context import Context
from rm_graphql.graphql.errors import ErrorType, render
from rm_graphql.tenancy.service import Actor

P = ParamSpec("P")
R = TypeVar("R")
Out = TypeVar("Out")


async def mutate(
    context: Context,
    work: Callable[Concatenate[AsyncSession, Actor, P], Awaitable[R]],
    build: Callable[[R], Out],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Out | ErrorType:
    """Run `work`; on a DomainError undo just its writes and return the typed error."""

    async def in_savepoint(session: AsyncSession, actor: Actor) -> R:
        try:
            async with session.begin_nested():
                return await work(session, actor, *args, **kwargs)
        except IntegrityError as error:
            raise Conflict("the change conflicts with the current state") from error

    try:
        result = await context.run(in_savepoint)
    except DomainError as error:
        return render(error)
    return build(result)

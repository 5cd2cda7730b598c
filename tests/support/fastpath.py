"""The compiled read path of a running app: find it, or switch it off for a block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.routing import Route

from rm_graphql.graphql.fastpath import FastPath
from rm_graphql.graphql.view import GraphQLView
from tests.support.api import Api


def view_of(api: Api) -> GraphQLView:
    for route in api.app.routes:
        if isinstance(route, Route) and isinstance(route.endpoint, GraphQLView):
            return route.endpoint
    raise AssertionError("no GraphQL view")


@contextmanager
def normal_execution(api: Api) -> Iterator[None]:
    """Requests inside the block skip the fast path."""
    view = view_of(api)
    fast_path, view.fast_path = view.fast_path, None
    try:
        yield
    finally:
        view.fast_path = fast_path


def fast_path_of(api: Api) -> FastPath:
    fast_path = view_of(api).fast_path
    assert fast_path is not None
    return fast_path

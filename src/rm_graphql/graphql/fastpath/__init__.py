"""A compiled read path: covered queries become one SQL statement that builds the JSON."""

from rm_graphql.graphql.fastpath.asgi import serve
from rm_graphql.graphql.fastpath.executor import FastPath
from rm_graphql.graphql.fastpath.response import RawJSON, encode

__all__ = ["FastPath", "RawJSON", "encode", "serve"]

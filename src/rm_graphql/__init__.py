"""rm-graphql: a reverse-mentoring engine that HR platforms plug in over GraphQL."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rm-graphql")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

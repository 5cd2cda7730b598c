"""A window of an ordered list: what a page of a connection fetches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Which rows of an ordered list a page covers."""

    offset: int
    limit: int

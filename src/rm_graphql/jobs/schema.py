"""Procrastinate's tables live beside ours on PostgreSQL; its own SQL owns them, not our models."""

from __future__ import annotations

from collections.abc import Mapping

PROCRASTINATE_PREFIX = "procrastinate_"


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic filter: compare only our tables, never Procrastinate's."""
    return not (type_ == "table" and name is not None and name.startswith(PROCRASTINATE_PREFIX))

"""The example operations in schema/operations/ stay valid against the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from rm_graphql.graphql.schema import schema

OPERATIONS = sorted((Path(__file__).parents[2] / "schema" / "operations").glob("*.graphql"))


def test_there_are_example_operations() -> None:
    assert len(OPERATIONS) >= 4


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda path: path.name)
def test_operation_validates(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text()))
    assert errors == []

"""Ids in events and links are spelled exactly as the API spells them."""

from __future__ import annotations

import pytest
from strawberry.relay import GlobalID, to_base64

from rm_graphql.ids import global_id


@pytest.mark.parametrize(
    ("type_name", "row_id"), [("Pair", 1), ("SyncRun", 9_007_199_254_740_993), ("Feedback", 0)]
)
def test_global_ids_match_the_apis(type_name: str, row_id: int) -> None:
    assert global_id(type_name, row_id) == to_base64(type_name, row_id)
    assert GlobalID.from_id(global_id(type_name, row_id)) == GlobalID(type_name, str(row_id))

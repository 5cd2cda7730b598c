"""Stored forms: jsonb text as PostgreSQL prints it; other forms compare by value, not text."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rm_graphql.db import Database
from rm_graphql.sync.codec import Codec, SQLiteCodec, jsonb_text
from tests.support.people import create_tenant

from .conftest import Fake, bamboo_connector
from .support import sync, writes_to_employees

TRICKY = [
    {"zeta": 1, "a": True, "bb": ["Français", "日本語"], "ab": None, "é": "x"},
    ['quote " and back\\slash', "tab\tnew\nline", "\u0001", "😀", ""],
    {"nested": {"long key": [1, 2, {"k": False}], "s": "ü"}},
    [],
    {},
]


@pytest.mark.parametrize("value", TRICKY)
async def test_jsonb_text_is_what_postgresql_prints(session: AsyncSession, value: object) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("jsonb is PostgreSQL's")
    printed = await session.scalar(
        text("SELECT CAST(:value AS jsonb)::text"), {"value": json.dumps(value)}
    )
    assert jsonb_text(value) == printed


@pytest.mark.parametrize("codec", [Codec(), SQLiteCodec()], ids=["postgresql", "sqlite"])
def test_lists_of_strings_take_a_short_cut_to_the_same_text(codec: Codec) -> None:
    strings = ('quote " and back\\slash', "tab\tnew\nline", "\u0001", "😀", "", "Français")
    for value in (strings, (), ("one",)):
        assert codec.encode("skills", value) == codec.json(value)


async def test_rows_stored_in_another_form_are_unchanged_not_rewritten(
    session: AsyncSession, database: Database, bamboo: Fake
) -> None:
    tenant = await create_tenant(session)
    await sync(session, tenant.id, bamboo_connector(bamboo))
    # Another writer's formatting (no spaces): SQLite keeps it as text, jsonb normalises it.
    json_value = "CAST({} AS jsonb)" if session.get_bind().dialect.name == "postgresql" else "{}"
    assignments = ", ".join(
        f"{column} = {json_value.format(':' + column)}" for column in ("languages", "skills")
    )
    await session.execute(
        text(
            f"UPDATE employees SET {assignments} WHERE tenant_id = :tenant AND external_id = '101'"
        ),
        {"languages": '["English"]', "skills": '["Strategy","SQL"]', "tenant": tenant.id},
    )
    fake, _ = bamboo
    ceo = fake.org.people[1]
    ceo.languages, ceo.skills = ["English"], ["Strategy", "SQL"]
    fake.org.generation += 1  # the fake caches its report per generation
    with writes_to_employees(database.engine) as writes:
        again = await sync(session, tenant.id, bamboo_connector(bamboo))
    assert writes == []
    assert (again.updated, again.unchanged) == (0, len(fake.org.current()))

"""An incident written whole into another store (``read_whole``/``write_whole``, what ``warroom copy``
and ``warroom import`` use): everything arrives as stored, in one transaction, with the
destination's ids; a second copy of the same incident finds the first instead of writing twice.

The round trip SQLite → PostgreSQL → SQLite gives the same JSON export as the original, with the
incident's and entries' ids (which each destination numbers itself) taken out of the comparison."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from warroom.domain.presets import SEV
from warroom.store import NotFound, StoreError, open_store
from warroom.store.export_reader import read_export
from warroom.store.whole import ENTRY_COLUMNS, WholeIncident

from fixtures.support import T0, raw_sql
from fixtures.whole import READINGS, SECRET, export_of, normalised, rich_incident


def without_ids(whole: WholeIncident) -> tuple:
    """What a copy keeps exactly: everything but the ids the destination gives."""
    return (whole.origin, whole.incident, tuple(e[1:] for e in whole.entries),
            tuple(r[1:] for r in whole.revisions), whole.readings, whole.drill)


async def test_sqlite_to_postgresql_to_sqlite_gives_the_same_export(tmp_path, pg_url):
    first, last = tmp_path / "laptop.db", tmp_path / "back.db"
    async with open_store(first) as laptop:
        await laptop.declare("Earlier, to shift the ids", SEV, "SEV-3", now=T0 - timedelta(days=1), author="x")
        original_id = await rich_incident(laptop, drill=True)
        original = await laptop.read_whole(original_id)
        exported = await export_of(laptop, original_id)
        readings = await laptop.readings(original_id)
        scenario = await laptop.drill_scenario(original_id)
    async with open_store(pg_url) as team:
        team_id, written = await team.write_whole(original)
        assert written and team_id == 1  # the destination's own ids
        assert normalised(await export_of(team, team_id)) == normalised(exported)
        on_team = await team.read_whole(team_id)
    async with open_store(last) as back:
        for n in range(2):
            await back.declare(f"Already here {n}", SEV, "SEV-3", now=T0 - timedelta(days=2), author="x")
        back_id, written = await back.write_whole(on_team)
        assert written and back_id == 3
        again = await export_of(back, back_id)
        assert normalised(again) == normalised(exported)
        assert again["incident"]["id"] == 3 and again != exported  # the ids are the destination's
        assert without_ids(await back.read_whole(back_id)) == without_ids(original)
        assert await back.readings(back_id) == readings and len(readings) == READINGS
        assert await back.drill_scenario(back_id) == scenario is not None
        by_client = await back.entry_by_client_id(f"c-{original_id}-1")
        assert by_client is not None and by_client.incident_id == back_id and len(by_client.history) == 0
    redacted = [e for e in again["entries"] if e["redacted"]]
    assert [e["text"] for e in redacted] == [None] and redacted[0]["redacted"]["reason"] == "card data"
    assert SECRET not in str(again)  # hidden as it was, in every store it went through


async def test_a_copy_keeps_ties_in_the_timeline_in_their_order(store, tmp_path):
    async with open_store(tmp_path / "source.db") as source:
        i = await source.declare("Ties", SEV, "SEV-2", now=T0, author="a")
        for n in range(5):
            await source.append(i.id, f"line {n}", author="a", now=T0, at=T0)
        whole = await source.read_whole(i.id)
    await store.declare("Taken ids", SEV, "SEV-2", now=T0 - timedelta(seconds=1), author="a")
    copy_id, _ = await store.write_whole(whole)
    texts = [e.text for e in await store.entries(copy_id)]
    assert texts[-5:] == [f"line {n}" for n in range(5)]


async def test_copying_twice_writes_once_and_a_copy_back_finds_the_original(store, tmp_path):
    async with open_store(tmp_path / "source.db") as source:
        original_id = await rich_incident(source)
        whole = await source.read_whole(original_id)
        copy_id, written = await store.write_whole(whole)
        assert written
        assert await store.write_whole(whole) == (copy_id, False)
        assert len(await store.incidents()) == 1
        copied = await store.read_whole(copy_id)
        assert copied.origin == whole.origin  # a copy carries the origin key it came with
        entries_before = len(await source.entries(original_id))
        assert await source.write_whole(copied) == (original_id, False)  # back home: the original
        assert len(await source.incidents()) == 1 and len(await source.entries(original_id)) == entries_before


async def test_an_incident_of_the_same_id_elsewhere_is_not_taken_for_the_same(store, tmp_path):
    async with open_store(tmp_path / "source.db") as source:
        theirs = await source.read_whole((await source.declare("Theirs", SEV, "SEV-2", now=T0, author="a")).id)
    ours = await store.declare("Ours", SEV, "SEV-2", now=T0 + timedelta(seconds=1), author="a")
    assert theirs.id == ours.id == 1
    copy_id, written = await store.write_whole(theirs)
    assert written and copy_id == 2 and (await store.incident(2)).title == "Theirs"


async def test_a_client_id_already_here_writes_nothing(store, tmp_path):
    async with open_store(tmp_path / "source.db") as source:
        whole = await source.read_whole(await rich_incident(source))
    other = await store.declare("Other", SEV, "SEV-2", now=T0 + timedelta(seconds=1), author="a")
    await store.append(other.id, "same client id", author="a", now=T0, client_id=f"c-{whole.id}-2")
    with pytest.raises(StoreError, match=r"already here, on incident #1 .*nothing was written"):
        await store.write_whole(whole)
    assert [i.id for i in await store.incidents()] == [other.id]


async def test_a_failure_part_way_writes_nothing(store, db, tmp_path):
    async with open_store(tmp_path / "source.db") as source:
        whole = await source.read_whole(await rich_incident(source))
    broken = replace(whole, revisions=whole.revisions + whole.revisions[-1:])  # a revision twice
    with pytest.raises(Exception):
        await store.write_whole(broken)
    for table in ("incidents", "entries", "revisions", "readings", "meta"):
        assert raw_sql(db, f"SELECT count(*) FROM {table}") == [(0,)], table
    copy_id, written = await store.write_whole(whole)  # the store is usable, and the copy whole
    assert written and len(await store.readings(copy_id)) == READINGS


async def test_read_whole_of_a_missing_incident_is_not_found(store):
    with pytest.raises(NotFound, match="no incident #7"):
        await store.read_whole(7)


def test_entries_are_read_with_every_stored_column():
    assert "client_id" in ENTRY_COLUMNS and "key" in ENTRY_COLUMNS and ENTRY_COLUMNS[0] == "id"


async def test_an_export_of_an_incident_copied_here_is_found_by_its_origin(store, tmp_path):
    async with open_store(tmp_path / "laptop.db") as laptop:
        original_id = await rich_incident(laptop)
        copy_id, _ = await store.write_whole(await laptop.read_whole(original_id))
        exported = await export_of(laptop, original_id)
    imported = read_export(json.dumps(exported).encode())
    assert imported.created_at == (await store.read_whole(copy_id)).created_at  # the first entry's logged_at
    assert await store.write_whole(imported) == (copy_id, False)
    assert len(await store.incidents()) == 1

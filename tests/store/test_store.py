"""The store on both engines (``store``/``db`` are parametrised over SQLite and PostgreSQL): round-trips,
revisions, redaction, migrations, errors, change detection; then what only SQLite has (``sqlite_store``)."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from warroom.domain import incident as inc
from warroom.domain.incident import IncidentError
from warroom.domain.presets import P1, SEV
from warroom.domain.timeline import EntryError
from warroom.store import NotFound, Store, StoreError, connect_store, open_store
from warroom.store.schema import SCHEMA_VERSION

from fixtures.support import T0, hold_write_lock, raw_sql


async def declare(store, **kw):
    kw.setdefault("now", T0)
    kw.setdefault("author", "ic")
    return await store.declare(kw.pop("title", "Checkout 500s"), kw.pop("policy", SEV), kw.pop("severity", "SEV-1"), **kw)


async def test_declare_round_trips_and_becomes_active(store):
    i = await declare(store, detected_at=T0 - timedelta(minutes=4), services=["api", " api ", "db"], impact="all")
    assert (i.title, i.severity, i.status) == ("Checkout 500s", "SEV-1", "investigating")
    assert i.milestones == {"declared": T0, "detected": T0 - timedelta(minutes=4)}
    assert i.services == ("api", "db")
    assert await store.active_incident_id() == i.id
    again = await store.incident(i.id)
    assert again == i and again.policy == SEV
    texts = [e.text for e in await store.entries(i.id)]
    assert texts == ["Detected", "Incident declared: SEV-1 Critical — Checkout 500s"]


async def test_declare_refuses_detection_after_declaration_and_empty_title(store):
    with pytest.raises(IncidentError, match="detected .* after declared"):
        await declare(store, detected_at=T0 + timedelta(minutes=1))
    with pytest.raises(IncidentError, match="title"):
        await declare(store, title="   ")
    assert await store.incidents() == []


async def test_entries_keep_timeline_order_with_backdating(store):
    i = await declare(store)
    late = await store.append(i.id, "typed now about earlier", author="s", now=T0 + timedelta(minutes=10),
                              at=T0 + timedelta(minutes=2))
    await store.append(i.id, "typed first", author="s", now=T0 + timedelta(minutes=5))
    texts = [e.text for e in await store.entries(i.id)]
    assert texts[1:] == ["typed now about earlier", "typed first"]
    assert late.backdated and late.logged_at == T0 + timedelta(minutes=10)


async def test_edit_keeps_every_revision(store):
    i = await declare(store)
    e = await store.append(i.id, "pool at 100%", author="s", now=T0)
    e2 = await store.edit(e.id, by="s", now=T0 + timedelta(minutes=1), text="pool at 100% on db-1")
    e3 = await store.edit(e.id, by="t", now=T0 + timedelta(minutes=2), kind="decision")
    assert e3.revision == 3 and e3.text == "pool at 100% on db-1" and e3.kind == "decision"
    assert [(r.revision, r.text, r.kind, r.replaced_by) for r in e3.history] == [
        (1, "pool at 100%", "note", "s"), (2, "pool at 100% on db-1", "note", "t")]
    assert e2.revision == 2
    unchanged = await store.edit(e.id, by="s", now=T0, text=e3.text)
    assert unchanged.revision == 3
    with pytest.raises(EntryError):
        await store.edit(e.id, by="s", now=T0, text="  ")


async def test_redaction_hides_but_never_drops(store):
    i = await declare(store)
    e = await store.append(i.id, "token=abc123", author="s", now=T0)
    r = await store.redact(e.id, reason="secret pasted", by="ic", now=T0 + timedelta(minutes=1))
    assert r.redacted and r.redaction_reason == "secret pasted" and r.redacted_by == "ic"
    assert r.text == "token=abc123"  # still on record in the file
    assert len(await store.entries(i.id)) == 2
    with pytest.raises(EntryError, match="already redacted"):
        await store.redact(e.id, reason="again", by="ic", now=T0)
    with pytest.raises(EntryError, match="cannot be edited"):
        await store.edit(e.id, by="s", now=T0, text="x")
    with pytest.raises(EntryError, match="reason"):
        await store.redact((await store.append(i.id, "x", author="s", now=T0)).id, reason=" ", by="s", now=T0)


async def test_star_and_keyed_entries_are_written_once(store):
    i = await declare(store)
    e = await store.append(i.id, "rollback started", author="s", now=T0)
    assert (await store.star(e.id)).starred
    assert not (await store.star(e.id, False)).starred
    first = await store.append(i.id, "SLA breached", author="warroom", now=T0, kind="system", key="sla:x")
    second = await store.append(i.id, "SLA breached", author="warroom", now=T0, kind="system", key="sla:x")
    assert first is not None and second is None
    assert sum(e.text == "SLA breached" for e in await store.entries(i.id)) == 1


async def test_change_writes_incident_and_system_entries_atomically(store):
    i = await declare(store)
    at = T0 + timedelta(minutes=3)
    after, entries = await store.change(i.id, lambda x: inc.acknowledge(x, at, "alice"), author="alice", at=at,
                                        now=at)
    assert after.milestones["acknowledged"] == at
    assert [e.text for e in entries] == ["Acknowledged by alice"]
    with pytest.raises(IncidentError, match="already acknowledged"):
        await store.change(i.id, lambda x: inc.acknowledge(x, at, "bob"), author="bob", at=at, now=at)
    # a refused change writes nothing
    assert [e.text for e in await store.entries(i.id)].count("Acknowledged by alice") == 1
    with pytest.raises(IncidentError, match="before acknowledged"):
        await store.change(i.id, lambda x: inc.change_status(x, "identified", T0 + timedelta(minutes=1)),
                           author="a", at=T0, now=at)
    assert (await store.incident(i.id)).status == "investigating"


async def test_unknown_incident_and_entry(store):
    with pytest.raises(NotFound, match="#42"):
        await store.incident(42)
    with pytest.raises(NotFound, match="#42"):
        await store.append(42, "x", author="s", now=T0)
    with pytest.raises(NotFound):
        await store.edit(7, by="s", now=T0, text="x")


async def test_list_open_and_all(store):
    a = await declare(store, title="a")
    b = await declare(store, title="b", policy=P1, severity="P2")
    await store.change(a.id, lambda x: inc.change_status(x, "resolved", T0), author="s", at=T0, now=T0)
    assert [x.title for x in await store.incidents(include_resolved=False)] == ["b"]
    assert [x.title for x in await store.incidents()] == ["b", "a"]
    assert (await store.incident(b.id)).policy == P1


async def test_file_is_private_wal_and_versioned(db_path, sqlite_store):
    await declare(sqlite_store)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) & 0o077 == 0
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


async def test_change_detection_between_connections(db, store):
    i = await declare(store)
    async with open_store(db) as other:
        v0, seq0 = await other.data_version(), await other.change_seq()
        assert await other.data_version() == v0  # nothing changed: cheap and stable
        e = await store.append(i.id, "from the scribe", author="s", now=T0)
        assert await other.wait_for_change(v0, timeout=5) != v0  # PostgreSQL's signal comes a moment later
        seq, ids, incident_changed = await other.changes_since(seq0, i.id)
        assert seq > seq0 and ids == {e.id} and not incident_changed
        await store.change(i.id, lambda x: inc.assign_role(x, "ic", "Alice"), author="s", at=T0, now=T0)
        seq2, ids2, incident_changed2 = await other.changes_since(seq, i.id)
        assert incident_changed2 and len(ids2) == 1


async def test_corrupt_file_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupt or not a warroom database"):
        await Store.connect(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite")  # untouched


async def test_newer_schema_is_refused(db_path):
    con = sqlite3.connect(db_path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer than this warroom"):
        await Store.connect(db_path)


@asynccontextmanager
async def locked(db_path, store):
    """Another connection holds the write lock; the store gives up after 100 ms instead of 5 s."""
    blocker = hold_write_lock(db_path)
    try:
        await store.set_busy_timeout(100)
        yield
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


async def test_locked_database_gives_a_clear_error(db_path, sqlite_store):
    store = sqlite_store
    i = await declare(store)
    async with locked(db_path, store):
        with pytest.raises(StoreError, match="locked"):
            await store.append(i.id, "x", author="s", now=T0)
        with pytest.raises(StoreError, match="locked"):
            await store.star(1)
    assert await store.append(i.id, "after the lock", author="s", now=T0)


async def test_unusable_location_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreError, match="cannot create database"):
        await Store.connect(blocker / "x.db")


async def test_append_many_imports_in_one_transaction(store):
    i = await declare(store)
    n = await store.append_many(i.id, [(T0 + timedelta(seconds=s), "note", "drill", f"line {s}") for s in range(50)],
                                now=T0)
    assert n == 50
    assert [e.text for e in await store.entries(i.id)][-50:] == [f"line {s}" for s in range(50)]


async def test_append_keyed_writes_a_batch_once_skipping_keys_already_written(db, store):
    i = await declare(store)
    async with open_store(db) as other:  # another process wrote one of the keys first
        await other.append(i.id, "b from the other", author="warroom", now=T0, kind="system", key="k:b")
    rows = [("k:a", "a", T0, "system"), ("k:b", "b", T0, "system"), ("k:c", "c", T0 + timedelta(seconds=1), "system")]
    written = await store.append_keyed(i.id, rows, author="warroom", now=T0)
    assert [(e.key, e.text, e.kind, e.at) for e in written] == [("k:a", "a", "system", T0),
                                                                ("k:c", "c", "system", T0 + timedelta(seconds=1))]
    assert await store.append_keyed(i.id, rows, author="warroom", now=T0) == []  # all there: nothing again
    keyed = sorted((e.key, e.text) for e in await store.entries(i.id) if e.key)
    assert keyed == [("k:a", "a"), ("k:b", "b from the other"), ("k:c", "c")]
    assert await store.append_keyed(i.id, [], author="warroom", now=T0) == []
    with pytest.raises(NotFound):
        await store.append_keyed(999, [("k:x", "x", T0, "system")], author="warroom", now=T0)
    with pytest.raises(EntryError):
        await store.append_keyed(i.id, [("k:y", "y", T0, "system"), ("k:z", " ", T0, "system")],
                                 author="warroom", now=T0)
    assert not any(e.key in ("k:x", "k:y") for e in await store.entries(i.id))  # all or nothing


async def test_append_keyed_on_a_locked_database_gives_a_clear_error_and_writes_nothing(db_path, sqlite_store):
    store = sqlite_store
    i = await declare(store)
    async with locked(db_path, store):
        with pytest.raises(StoreError, match="locked"):
            await store.append_keyed(i.id, [("k:a", "a", T0, "system")], author="warroom", now=T0)
    assert [e.key for e in await store.append_keyed(i.id, [("k:a", "a", T0, "system")], author="warroom",
                                                     now=T0)] == ["k:a"]


async def test_append_soon_is_committed_before_the_event_loop_runs_again(db, store):
    """The scribe's line goes to the journal thread from the key handler itself: another connection
    sees it committed while this loop has not yet run a single step."""
    import time

    i = await declare(store)
    store.open_journal()
    pending = store.append_soon(i.id, "pool at 95%", author="s", now=T0 + timedelta(minutes=1), kind="action",
                                owner="alice", due=T0 + timedelta(minutes=30))
    deadline = time.monotonic() + 5
    while not raw_sql(db, "SELECT count(*) FROM entries WHERE text = ?", ("pool at 95%",))[0][0]:
        assert time.monotonic() < deadline, "not committed without the event loop"
        time.sleep(0.001)  # blocks this loop on purpose: the commit must not need it
    entry = await pending
    assert entry == (await store.entries(i.id, ids=[entry.id]))[0]  # as a read would give it back
    assert (entry.kind, entry.owner, entry.due) == ("action", "alice", T0 + timedelta(minutes=30))


async def test_append_soon_keeps_the_order_and_close_waits_for_every_line(db):
    store = await connect_store(db)
    i = await declare(store)
    for n in range(50):
        store.append_soon(i.id, f"line {n}", author="s", now=T0 + timedelta(seconds=n))
    await store.close()  # without awaiting a single line
    async with open_store(db) as again:
        entries = await again.entries(i.id)
    assert [e.text for e in entries if e.text.startswith("line")] == [f"line {n}" for n in range(50)]
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    with pytest.raises(StoreError, match="closed"):
        store.append_soon(i.id, "after close", author="s", now=T0)


async def test_append_soon_errors_write_nothing(store):
    i = await declare(store)
    with pytest.raises(EntryError):
        store.append_soon(i.id, "   ", author="s", now=T0)
    with pytest.raises(NotFound):
        await store.append_soon(999, "no such incident", author="s", now=T0)
    assert [e.text for e in await store.entries(i.id)] == ["Incident declared: SEV-1 Critical — Checkout 500s"]


async def test_append_soon_on_a_locked_database_writes_nothing(db_path, sqlite_store):
    store = sqlite_store
    i = await declare(store)
    async with locked(db_path, store):
        with pytest.raises(StoreError, match="locked"):
            await store.append_soon(i.id, "while locked", author="s", now=T0)
    assert [e.text for e in await store.entries(i.id)] == ["Incident declared: SEV-1 Critical — Checkout 500s"]
    assert (await store.append_soon(i.id, "after the lock", author="s", now=T0)).text == "after the lock"


async def test_a_store_that_never_journals_starts_no_thread(db):
    import threading

    def journals():
        return {t for t in threading.enumerate() if t.name.startswith("warroom-journal")}

    before = journals()  # an earlier test's may still be winding down
    async with open_store(db) as store:
        await declare(store)
        assert journals() <= before


async def test_readings_round_trip_and_prune_keeps_the_timeline(store):
    from warroom.domain.recording import Record

    t0 = T0
    old = await store.declare("old", SEV, "SEV-2", now=t0, author="ic")
    live = await store.declare("live", SEV, "SEV-2", now=t0, author="ic")
    records = [Record(t0, "panel", "errors", {"v": 0.5, "b": None, "verdict": "CRIT"}),
               Record(t0 + timedelta(seconds=5), "pod", "ctx\x1fshop\x1fweb-1", None)]
    assert await store.record(old.id, records) == 2
    await store.record(live.id, records[:1])
    assert await store.readings(old.id) == records
    await store.change(old.id, lambda i: inc.change_status(i, "resolved", t0 + timedelta(hours=1)), author="ic",
                       at=t0 + timedelta(hours=1), now=t0 + timedelta(hours=1), kind="status")
    entries_before = await store.entries(old.id)
    assert await store.prune_readings(t0 + timedelta(minutes=30)) == ([], 0)  # resolved after the cut-off
    assert await store.prune_readings(t0 + timedelta(days=91)) == ([old.id], 2)
    assert await store.readings(old.id) == [] and len(await store.readings(live.id)) == 1  # open: untouched
    assert await store.entries(old.id) == entries_before


async def test_a_retried_write_with_the_same_client_id_is_written_once(store):
    """A write whose acknowledgement was lost is retried with the same client id: the entry comes
    back, not a second one — through ``append`` and through the journal alike."""
    i = await declare(store)
    first = await store.append(i.id, "rolled back", author="s", now=T0, client_id="host-a:1")
    again = await store.append(i.id, "rolled back", author="s", now=T0 + timedelta(seconds=5), client_id="host-a:1")
    assert again == first
    store.open_journal()
    line = await store.append_soon(i.id, "pool at 95%", author="s", now=T0, client_id="host-a:2")
    assert await store.append_soon(i.id, "pool at 95%", author="s", now=T0, client_id="host-a:2") == line
    assert await store.append(i.id, "pool at 95%", author="s", now=T0, client_id="host-a:2") == line
    texts = [e.text for e in await store.entries(i.id)]
    assert texts.count("rolled back") == 1 and texts.count("pool at 95%") == 1

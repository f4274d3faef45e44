"""A row whose time no reader understands (an older warroom wrote ``999-06-01…``, or another tool
wrote garbage) is shown as unreadable, in a sane place — never fatal, never hidden. On both engines."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from warroom.domain.presets import SEV
from warroom.domain.report import to_json_data
from warroom.review_templates import review_markdown as to_markdown
from warroom.domain.times import iso_utc

from fixtures.support import T0, raw_sql

M = timedelta(minutes=1)
BAD = "999-06-01T00:00:00.000000+00:00"  # what iso_utc wrote for year 999 before it refused it


def insert(db, incident_id: int, at: str, text: str, logged_at: str | None = None, **cols) -> int:
    names = ["incident_id", "at", "logged_at", "author", "kind", "text", *cols]
    values = [incident_id, at, logged_at or iso_utc(T0 + 5 * M), "old", "note", text, *cols.values()]
    return raw_sql(db, f"INSERT INTO entries ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
                       " RETURNING id", tuple(values))[0][0]


async def test_an_entry_with_an_unreadable_time_is_listed_where_it_was_logged(store, db):
    inc = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    await store.append(inc.id, "before", author="a", now=T0 + 4 * M)
    await store.append(inc.id, "after", author="a", now=T0 + 6 * M)
    bad = insert(db, inc.id, BAD, "poisoned")

    entries = await store.entries(inc.id, with_history=True)
    texts = [e.text for e in entries]
    assert texts[1:] == ["before", f"[unreadable time {BAD!r}] poisoned", "after"]
    row = entries[2]
    assert row.id == bad and row.at == row.logged_at == T0 + 5 * M
    assert (await store.entry(bad)).text == texts[2]
    assert [e.text for e in await store.entries(inc.id, ids=[bad])] == [texts[2]]
    # both exports render it
    assert "[unreadable time" in to_markdown(await store.incident(inc.id), entries, T0 + 10 * M)
    data = to_json_data(await store.incident(inc.id), entries, T0 + 10 * M)
    assert any(e["text"].startswith("[unreadable time") for e in data["entries"])


async def test_no_readable_time_at_all_sorts_first(store, db):
    inc = await store.declare("x", SEV, "SEV-1", now=T0, author="ic")
    insert(db, inc.id, "garbage", "lost in time", logged_at="\x1b[31mred")
    from warroom.domain.times import EARLIEST

    entries = await store.entries(inc.id)
    assert entries[0].at == EARLIEST
    assert entries[0].text == "[unreadable time 'garbage'] [unreadable logged time '\\x1b[31mred'] lost in time"


async def test_a_redaction_with_an_unreadable_time_still_hides_the_text(store, db):
    inc = await store.declare("x", SEV, "SEV-1", now=T0, author="ic")
    entry_id = insert(db, inc.id, iso_utc(T0), "the password is hunter2", redacted_at=BAD,
                      redacted_by="ic", redaction_reason="secret")
    entry = await store.entry(entry_id)
    assert entry.redacted and entry.redaction_reason == "secret"


async def test_an_unreadable_due_time_and_revision_are_shown(store, db):
    inc = await store.declare("x", SEV, "SEV-1", now=T0, author="ic")
    entry_id = insert(db, inc.id, iso_utc(T0), "restart the pool", due=BAD)
    raw_sql(db, "INSERT INTO revisions (entry_id, revision, at, kind, text, author, replaced_at, replaced_by)"
                " VALUES (?,?,?,?,?,?,?,?)", (entry_id, 1, BAD, "note", "first", "a", iso_utc(T0), "b"))
    entry = await store.entry(entry_id, with_history=True)
    assert entry.due is None and entry.text.startswith(f"[unreadable due time {BAD!r}] ")
    assert entry.history[0].text == f"[unreadable time {BAD!r}] first" and entry.history[0].at == T0


@pytest.mark.parametrize("milestone", ["detected", "declared"])
async def test_an_unreadable_milestone_leaves_the_incident_readable(store, db, milestone):
    inc = await store.declare("x", SEV, "SEV-1", now=T0, author="ic", detected_at=T0 - M)
    milestones = json.loads(raw_sql(db, "SELECT milestones FROM incidents WHERE id = ?", (inc.id,))[0][0])
    raw_sql(db, "UPDATE incidents SET milestones = ? WHERE id = ?",
            (json.dumps({**milestones, milestone: BAD}), inc.id))
    read = await store.incident(inc.id)
    assert read.milestones["declared"] == T0  # an unreadable declaration falls back to the row's creation
    assert ("detected" in read.milestones) == (milestone != "detected")
    assert [i.id for i in await store.incidents()] == [inc.id]


async def test_a_stored_policy_span_that_no_longer_reads_leaves_the_incident_readable(store, db):
    """Before spans were bounded, a policy target of 99999999999999d was stored with the incident."""

    inc = await store.declare("x", SEV, "SEV-1", now=T0, author="ic")
    snapshot = SEV.to_dict()
    level = snapshot["levels"][0]
    level["targets"]["acknowledge"] = "143999999999998560m"
    level["escalation"][0]["after"] = "143999999999998560m"
    raw_sql(db, "UPDATE incidents SET policy = ? WHERE id = ?", (json.dumps(snapshot), inc.id))
    read = await store.incident(inc.id)
    assert "acknowledge" not in read.level.targets and "resolve" in read.level.targets
    assert len(read.level.escalation) == len(SEV.levels[0].escalation) - 1
    assert "x" in to_markdown(read, await store.entries(inc.id), T0 + 10 * M)

"""Action items marked done or open again, on every engine: stored beside the entry (migration 6),
refused for anything that is not an open/done action, listed across incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain.presets import SEV
from warroom.domain.timeline import EntryError

from fixtures.support import T0

M = timedelta(minutes=1)


async def test_done_and_open_again(store):
    inc = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ana")
    a = await store.append(inc.id, "[prevent] [P2] add an alert #JIRA-1", author="ana", now=T0 + M, kind="action",
                           owner="bo", due=T0 + 60 * M)
    assert a.done_at is None
    done = await store.set_action_done(a.id, by="bo", now=T0 + 5 * M)
    assert (done.done_at, done.done_by, done.revision) == (T0 + 5 * M, "bo", 1)
    assert (await store.entries(inc.id))[-1].done_at == T0 + 5 * M  # read back from the table
    with pytest.raises(EntryError, match="already done"):
        await store.set_action_done(a.id, by="cy", now=T0 + 6 * M)
    reopened = await store.set_action_done(a.id, False, by="cy", now=T0 + 7 * M)
    assert (reopened.done_at, reopened.done_by) == (None, "")
    with pytest.raises(EntryError, match="open already"):
        await store.set_action_done(a.id, False, by="cy", now=T0 + 8 * M)


async def test_only_a_live_action_can_be_done(store):
    inc = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ana")
    note = await store.append(inc.id, "a note", author="ana", now=T0 + M)
    with pytest.raises(EntryError, match="is a note, not an action item"):
        await store.set_action_done(note.id, by="bo", now=T0 + 2 * M)
    gone = await store.append(inc.id, "secret", author="ana", now=T0 + M, kind="action")
    await store.redact(gone.id, reason="pasted a secret", by="ana", now=T0 + 2 * M)
    with pytest.raises(EntryError, match="redacted"):
        await store.set_action_done(gone.id, by="bo", now=T0 + 3 * M)


async def test_action_entries_across_incidents(store):
    first = await store.declare("One", SEV, "SEV-2", now=T0, author="ana")
    second = await store.declare("Two", SEV, "SEV-3", now=T0, author="ana")
    a = await store.append(first.id, "roll back", author="ana", now=T0 + M, kind="action")
    await store.append(first.id, "a note", author="ana", now=T0 + M)
    b = await store.append(second.id, "write the runbook", author="ana", now=T0 + M, kind="action")
    c = await store.append(second.id, "hidden", author="ana", now=T0 + 2 * M, kind="action")
    await store.redact(c.id, reason="wrong incident", by="ana", now=T0 + 3 * M)
    assert [(e.incident_id, e.id) for e in await store.action_entries()] == [(first.id, a.id), (second.id, b.id)]


async def test_an_edit_changes_an_action_s_owner_and_due_with_its_text(store):
    inc = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ana")
    a = await store.append(inc.id, "[prevent] add an alert", author="ana", now=T0 + M, kind="action",
                           owner="bo", due=T0 + 60 * M)
    moved = await store.edit(a.id, by="ana", now=T0 + 2 * M, owner_due=("cy", T0 + 90 * M))
    assert (moved.owner, moved.due, moved.text, moved.revision) == ("cy", T0 + 90 * M, "[prevent] add an alert", 1)
    both = await store.edit(a.id, by="ana", now=T0 + 3 * M, text="[prevent] [P1] add an alert #JIRA-7",
                            owner_due=("cy", None))
    assert (both.owner, both.due, both.text, both.revision) == ("cy", None, "[prevent] [P1] add an alert #JIRA-7", 2)
    assert [r.text for r in both.history] == ["[prevent] add an alert"]
    again = (await store.entries(inc.id))[-1]  # read back from the table
    assert (again.owner, again.due) == ("cy", None)
    unchanged = await store.edit(a.id, by="ana", now=T0 + 4 * M, owner_due=("cy", None))
    assert unchanged.revision == 2


async def test_only_an_action_has_an_owner_and_a_due_time(store):
    inc = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ana")
    note = await store.append(inc.id, "a note", author="ana", now=T0 + M)
    with pytest.raises(EntryError, match="only an action item has an owner"):
        await store.edit(note.id, by="ana", now=T0 + 2 * M, owner_due=("bo", None))
    assert (await store.entries(inc.id))[-1].owner == ""

"""Writes the database will not take (full disk, a long lock, quitting meanwhile): nothing lost,
nothing written twice, and the scribe told why."""

from __future__ import annotations

from datetime import timezone

import pytest

from warroom.domain.presets import SEV
from warroom.room.writes import Backoff
from warroom.store import Store
from warroom.ui.app import WarRoomApp

from fixtures.support import T0, SmallDisk, can_mount, hold_write_lock, pane_text, wait_for

FAST = Backoff(first=0.05, limit=0.2)


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


async def stored(db_path, incident_id):
    async with Store.open(db_path) as store:
        return await store.incident(incident_id), [e.text for e in await store.entries(incident_id)]


def unsaved_lines(folder) -> list[str]:
    files = list(folder.glob("unsaved-*.txt"))
    assert len(files) <= 1
    if not files:
        return []
    return [line.split("  ", 1)[1] for line in files[0].read_text().splitlines() if not line.startswith("#")]


@pytest.mark.skipif(not can_mount(), reason="a real full disk needs root to mount a small tmpfs (CI runs as root)")
async def test_a_full_disk_keeps_lines_and_changes_waiting_and_writes_them_once_space_is_back(tmp_path, clock):
    with SmallDisk(tmp_path / "disk", kb=2048) as disk:
        db_path = disk.path / "warroom.db"
        i = await seed(db_path)
        app = WarRoomApp(db_path, clock=clock, local=timezone.utc, author="scribe", export_dir=tmp_path,
                         tick_interval=3600, sync_interval=3600, backoff=FAST)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            await pilot.pause()
            disk.fill()
            await pilot.press("f6")  # acknowledge: a transaction, whose COMMIT fails on the full disk
            await pilot.press(*"pool at 95%", "enter")
            await pilot.press(*"/status mitigating", "enter")
            await wait_for(pilot, lambda: "2 lines and 1 change not saved yet" in pane_text(app, "#scribe-hint"),
                           what="the hint to count what waits")
            hint = pane_text(app, "#scribe-hint")
            assert "disk" in hint and "()" not in hint
            disk.free()
            await wait_for(pilot, lambda: not app.writes.lines_waiting and not app.writes.changes_waiting,
                           timeout=10, what="everything written once space is back")
            assert "not saved" not in pane_text(app, "#scribe-hint")
            await pilot.press(*"after the disk was freed", "enter")
            await app.writes_done()
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: app.return_code is not None, what="exit")
        incident, texts = await stored(db_path, i.id)
        assert incident.milestones.get("acknowledged") is not None and incident.status == "mitigating"
        assert texts.count("pool at 95%") == 1 and texts.count("after the disk was freed") == 1
        assert texts.index("pool at 95%") < texts.index("after the disk was freed")
        assert unsaved_lines(disk.path) == []


@pytest.mark.parametrize("lock_ends", ["while quitting", "after exit"])
async def test_quitting_during_a_lock_keeps_exactly_the_lines_not_committed(make_app, db_path, monkeypatch,
                                                                          lock_ends):
    """The line being written when quit stops waiting commits as the lock ends: it used to be in
    the unsaved file too (and the message said it could not be written)."""
    import warroom.ui.flows.quit as quit_flow

    monkeypatch.setattr(quit_flow, "QUIT_WAIT", 0.2)
    i = await seed(db_path)
    app = make_app(backoff=FAST)
    typed = ["first while locked", "second while locked"]
    blocker = hold_write_lock(db_path)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            await pilot.pause()
            for line in typed:
                await pilot.press(*line, "enter")
            await pilot.press("ctrl+q", "ctrl+q")  # lines wait: it asks first; again quits
            await wait_for(pilot, lambda: app.writes.stopping, what="quit to stop the writer")
            if lock_ends == "while quitting":  # the attempt under way (2 s busy timeout) then commits
                blocker.execute("ROLLBACK")
            await wait_for(pilot, lambda: app.return_code is not None, timeout=10, what="exit")
    finally:
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        blocker.close()
    _, texts = await stored(db_path, i.id)
    committed = [t for t in texts if t in typed]
    kept = unsaved_lines(db_path.parent)
    assert sorted(committed + kept) == sorted(typed)  # each line once: in the database or in the file
    if lock_ends == "while quitting":
        assert committed == ["first while locked"]
    else:
        assert committed == [] and kept == typed


async def test_quitting_with_a_refused_line_on_the_input_asks_and_keeps_the_line(make_app, db_path):
    """A line typed with no incident open is refused and stays on the input; ctrl+q used to quit
    at once and lose it. It asks (Esc stays, the line still there), and quitting keeps the line
    in the unsaved file, named at exit."""
    app = make_app(backoff=FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await pilot.press(*"db failover done at 03:12", "enter")
        await wait_for(pilot, lambda: app.session.refused_line is not None, what="the line refused")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.screen.id == "quit-confirm", what="the question")
        question = pane_text(app.screen, "#confirm-question")
        assert "not logged" in question and "db failover done at 03:12" in question and "kept" in question
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id != "quit-confirm", what="back to the room")
        assert app.return_code is None and app.session.refused_line[0] == "db failover done at 03:12"
        await pilot.press("ctrl+q", "ctrl+q")  # it asks again; ctrl+q in the question quits
        await wait_for(pilot, lambda: app.return_code is not None, what="exit")
    assert unsaved_lines(db_path.parent) == ["db failover done at 03:12"]


def test_the_unsaved_file_names_each_sent_line_by_its_client_id(tmp_path) -> None:
    """A line whose answer was lost as warroom quit can be both in the database and in the file:
    its client id (the one its entry carries) is written above it, so it can be looked up."""
    from warroom.ui.flows.quit import save_unsaved

    path = save_unsaved(tmp_path / "warroom.db", [(T0, "pool at 95%", "c-1"), (T0, "refused, never sent", None)])
    text = path.read_text().splitlines()
    assert text[text.index("2026-11-23T10:00:00.000000Z  pool at 95%") - 1] == "# client id c-1"
    assert text[-2] == "2026-11-23T10:00:00.000000Z  pool at 95%" and text[-1].endswith("refused, never sent")
    assert unsaved_lines(tmp_path) == ["pool at 95%", "refused, never sent"]

"""Issue #20 in the TUI: F5 copies and F9 exports an incident whose title and entries are hostile
(written to the database by another tool): the clipboard's OSC 52 payload holds nothing a terminal
would act on, and the export is private (0600) with every field in its place."""

from __future__ import annotations

import base64
import json
import sqlite3
import stat

from warroom.domain.presets import SEV
from warroom.store import Store

from fixtures.hostile import HOSTILE, OSC52_SHOWN, unsafe
from fixtures.support import T0, wait_for


async def hostile_incident(db_path) -> int:
    async with Store.open(db_path) as store:
        incident = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.append(incident.id, "roll back", author="ic", now=T0, kind="decision")
    with sqlite3.connect(db_path) as con:  # as another tool (or an older warroom) could have written them
        con.execute("UPDATE incidents SET title = ?, impact = ?, roles = ?",
                    (HOSTILE, HOSTILE, json.dumps({"commander": HOSTILE})))
        con.execute("UPDATE entries SET text = ? WHERE kind = 'decision'", (HOSTILE,))
    return incident.id


async def test_f5_copies_nothing_a_terminal_would_obey(make_app, db_path):
    await hostile_incident(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.clipboard, what="the summary copied")
        # what App.copy_to_clipboard puts in OSC 52: ESC ] 52 ; c ; base64(text) BEL
        payload = base64.b64decode(base64.b64encode(app.clipboard.encode("utf-8"))).decode("utf-8")
        assert unsafe(payload, allow="\n") == [] and OSC52_SHOWN in payload
        lines = payload.split("\n")
        assert lines[0].startswith("[SEV-1 Critical] Incident #1: ") and OSC52_SHOWN in lines[0]
        assert lines[1].startswith("Status: ") and lines[2].startswith("Incident commander: ␛]0;pwned␇Evil")
        assert sum(line.startswith("Impact: ") for line in lines) == 1  # the impact's newline stayed in its line


async def test_f9_exports_privately_and_literally(make_app, db_path, tmp_path):
    await hostile_incident(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        await pilot.press("f9")
        await wait_for(pilot, lambda: getattr(app, "last_export", None), what="export")
        path = app.last_export
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert unsafe(text, allow="\n") == []
    assert text.splitlines()[0].startswith("# Incident #1: ␛\\]0;pwned␇Evil␛\\]52;c;")
    assert [line for line in text.splitlines() if line.startswith("# ")] == [text.splitlines()[0]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left

"""A bracketed paste with colour codes inside, written to a real terminal (issue #18): Textual's
parser alone typed the text after the first ESC ahead of the rest (``^[32mRunning^[0m okkubectl
says: ``); warroom's driver cleans the paste before the parser reads it."""

from __future__ import annotations

import sqlite3
import time

import pytest

from warroom.domain.presets import SEV
from warroom.store import Store

from fixtures.support import T0
from fixtures.tui_process import TuiProcess


def scribe_lines(db_path) -> list[str]:
    con = sqlite3.connect(db_path)
    try:
        return [text for (text,) in con.execute("SELECT text FROM entries WHERE author = 'tester' ORDER BY id")]
    finally:
        con.close()


@pytest.mark.slow
async def test_a_bracketed_paste_with_escapes_lands_in_order(db_path, warroom_exe, cli_env):
    async with Store.open(db_path) as store:
        await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    tui = TuiProcess(warroom_exe, cli_env, size=(120, 40))
    try:
        tui.wait_for(lambda out: "Checkout 500s" in out, what="the incident on screen")
        tui.type("pod: ")
        # the whole paste in one write, as a terminal sends it, then one keystroke after it
        tui.type("\x1b[200~kubectl says: \x1b[32mRunning\x1b[0m ok \x1b]0;title\x07\x1b[201~")
        tui.type("!\r")
        deadline = time.monotonic() + 20
        while not scribe_lines(db_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        tui.type("\x11")  # ctrl+q
        tui.wait(20)
    finally:
        tui.close()
    assert scribe_lines(db_path) == ["pod: kubectl says: Running ok !"]

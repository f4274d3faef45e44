"""The war room as a real process in a terminal: signals, a damaged database, what is left on screen."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest

from warroom.domain.presets import SEV
from warroom.store import Store

from fixtures.support import T0, corrupt_mid_file, hold_write_lock
from fixtures.tui_process import TuiProcess

ALT_SCREEN_ON, ALT_SCREEN_OFF = "\x1b[?1049h", "\x1b[?1049l"


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
async def test_a_signal_quits_like_ctrl_q_keeping_the_line_and_restoring_the_terminal(db_path, warroom_exe,
                                                                                     cli_env, sig):
    """The terminal closed (SIGHUP) or the process stopped (SIGTERM) while the database was locked:
    the line typed used to be in neither the database nor a file, and the screen stayed alternate."""
    await seed(db_path)
    blocker = hold_write_lock(db_path)
    tui = TuiProcess(warroom_exe, cli_env)
    try:
        tui.wait_for(lambda out: "Checkout 500s" in out, what="the incident on screen")
        tui.type("pool at 95% while locked\r")
        tui.wait_for(lambda out: "not saved yet" in out, what="the hint that the line waits")
        os.kill(tui.proc.pid, sig)
        code = tui.wait()
    finally:
        tui.close()
        blocker.execute("ROLLBACK")
        blocker.close()
    out = tui.text()
    assert out.rfind(ALT_SCREEN_OFF) > out.rfind(ALT_SCREEN_ON) >= 0, "the terminal is left in the alternate screen"
    assert code == 0 and "Traceback" not in out
    files = list(db_path.parent.glob("unsaved-*.txt"))
    assert len(files) == 1 and files[0].name in "".join(out.split())
    kept = [line for line in files[0].read_text().splitlines() if not line.startswith("#")]
    assert [line.split("  ", 1)[1] for line in kept] == ["pool at 95% while locked"]
    con = sqlite3.connect(db_path)  # and not in the database as well
    assert not con.execute("SELECT count(*) FROM entries WHERE text LIKE 'pool at 95%'").fetchone()[0]
    con.close()


@pytest.mark.slow
def test_the_tui_on_a_damaged_database_says_so_in_one_line_and_exits_non_zero(db_path, warroom_exe, cli_env):
    corrupt_mid_file(db_path)
    tui = TuiProcess(warroom_exe, cli_env)
    try:
        code = tui.wait(60)
    finally:
        tui.close()
    out = tui.text()
    after = out[out.rfind(ALT_SCREEN_OFF):] if ALT_SCREEN_OFF in out else out
    assert code == 1, out[-2000:]
    assert "Traceback" not in out and "locals" not in out.lower() and "──" not in after
    message = " ".join(after.split())
    assert f"database {db_path} is damaged" in message and "export --salvage" in message and ".recover" in message

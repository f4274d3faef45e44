"""A bug that crashes a warroom app: the traceback shows no local variables, the exit status is 1."""

from __future__ import annotations

import sys

import pytest

from fixtures.tui_process import TuiProcess

CRASHING_APP = """
import sys
from textual.app import App
from warroom.ui.crash import NoLocalsOnCrash, exit_code

class Crashing(NoLocalsOnCrash, App):
    def on_mount(self):
        token = "hunter2-bearer-token"  # what Textual's own report would print, in its locals panel
        raise RuntimeError("a bug")

app = Crashing()
sys.exit(exit_code(app, app.run()))
"""


@pytest.mark.slow
def test_a_crash_shows_the_frames_but_never_the_locals_and_exits_non_zero(cli_env):
    app = TuiProcess(sys.executable, cli_env, "-c", CRASHING_APP)
    try:
        code = app.wait(60)
    finally:
        app.close()
    out = app.text()
    assert "RuntimeError" in out and "a bug" in out  # the bug is still reported
    assert "hunter2" not in out and "locals" not in out
    assert code == 1

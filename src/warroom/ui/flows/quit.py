"""Quitting without losing a line: ctrl+q, SIGTERM (a shutdown, ``kill``) and SIGHUP (the terminal
closed, the ssh session dropped) all wait for the writes queued; what the database would not take
goes to a file beside it, exactly the lines not committed, named at exit. ctrl+q asks first when
lines are waiting, a refused line is still on the input, or a drill is running (a signal cannot
answer: it quits as before). A refused line still on the input goes to that file too: at 3 a.m.
the line typed with no incident open is the one nobody remembers to type again."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

QUIT_WAIT = 1.5  # seconds quit waits for lines still being written
SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def install_signal_handlers(app: WarRoomApp) -> list[int]:
    """The signals handled like ctrl+q (none under ``run_test``: the test process's are not the app's)."""
    if app.is_headless:
        return []
    loop = asyncio.get_running_loop()
    for sig in SIGNALS:
        loop.add_signal_handler(sig, app.quit_now)
    return list(SIGNALS)


def remove_signal_handlers(handled: list[int]) -> None:
    loop = asyncio.get_running_loop()
    for sig in handled:
        loop.remove_signal_handler(sig)


def quit_question(app: WarRoomApp) -> str:
    """Why ctrl+q should ask before quitting (``""``: it quits at once)."""
    writes = app.session.writes
    if writes.lines_waiting or writes.changes_waiting:
        parts = [f"{n} {word}{'s' if n != 1 else ''}"
                 for n, word in ((writes.lines_waiting, "line"), (writes.changes_waiting, "change")) if n]
        why = f" ({writes.trouble})" if writes.trouble else ""
        return (f"{' and '.join(parts)} not saved to the database yet{why}. Quit anyway? warroom waits "
                f"{QUIT_WAIT:g} s more, then keeps the lines in a file beside the database and names it.")
    refused = app.session.refused_line
    if refused is not None:
        return (f"The line on the input was not logged ({refused[1]}): “{refused[0]}”. Quit anyway? "
                f"It is kept in a file beside the database, named at exit.")
    if app.drill is not None and not app.session.room.drill_ended:
        return "A drill is running. Quit it now? It ends unscored (the timeline so far is kept)."
    return ""


def confirm_quit(app: WarRoomApp) -> None:
    """ctrl+q: quit at once, or ask first (``quit_question``); ctrl+q again in the question quits."""
    from warroom.domain.text import one_line
    from warroom.ui.screens.confirm import ConfirmScreen

    if isinstance(app.screen, ConfirmScreen) and app.screen.id == "quit-confirm":
        app.screen.dismiss(True)
        return
    question = quit_question(app)
    if not question:
        app.quit_now()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            app.quit_now()
    app.push_screen(ConfirmScreen("Quit warroom?", one_line(question), "Enter, y or ctrl+q: quit · Esc or n: stay",
                                  id="quit-confirm"), answered)


async def quit_when_written(app: WarRoomApp) -> None:
    """Quit once the writes queued are done. If the database cannot take them (locked, full,
    broken), the lines not written go to a text file — exactly those: an attempt under way is
    waited for first."""
    session = app.session
    writes = session.writes
    refused = session.refused_line  # read now: the screen goes at exit
    if writes.lines_waiting or writes.changes_waiting:
        try:
            await asyncio.wait_for(asyncio.shield(writes.join()), QUIT_WAIT)
        except asyncio.TimeoutError:
            pass
    if not (writes.lines_waiting or writes.changes_waiting):
        if refused is None:
            app.exit()
            return
        await _keep_refused(app, refused)
        return
    why = writes.trouble or "still being written at exit"
    await writes.stop()
    if session.store is not None:
        await session.store.settle_lines()
    lines, changes = writes.unsaved()
    session.lines_saved_aside = True
    not_done = f"; not saved, do again: {', '.join(changes)}" if changes else ""
    not_done += f"; the line refused ({refused[1]}) is kept too" if refused is not None else ""
    lines = [(l.at, l.raw, l.client_id) for l in lines] + ([(app.now(), refused[0], None)] if refused else [])
    if not lines:
        app.exit(message=Text(f"warroom: {len(changes)} change(s) could not be written ({why}){not_done}")
                 if changes else None)
        return
    try:
        path = await asyncio.to_thread(save_unsaved, session.db_path, lines, changes)
    except OSError as exc:
        text = "\n".join(raw for _, raw, _ in lines)
        app.exit(message=Text(f"warroom: {len(lines)} line(s) could not be saved ({exc}){not_done}; "
                              f"here they are:\n{text}"))
        return
    app.exit(message=Text(f"warroom: {len(lines)} line(s) could not be written to the database "
                          f"({why}); they are kept in {path}{not_done}"))


async def _keep_refused(app: WarRoomApp, refused: tuple[str, str]) -> None:
    """Quit with the refused line on the input kept in the unsaved file (named at exit)."""
    raw, why = refused
    try:
        path = await asyncio.to_thread(save_unsaved, app.session.db_path, [(app.now(), raw, None)])
    except OSError as exc:
        app.exit(message=Text(f"warroom: the line on the input was not logged ({why}) and could not be saved "
                              f"({exc}); here it is:\n{raw}"))
        return
    app.exit(message=Text(f"warroom: the line on the input was not logged ({why}); it is kept in {path}"))


def save_unsaved(db_path: Path | str, lines: list[tuple[datetime, str, str | None]], changes: list[str] = ()) -> Path:
    """Write lines the database would not take to ``unsaved-<time>.txt`` beside it, readable by
    its owner only (as the database is): the time each was typed, then the line as typed; the
    other changes not saved (dialogs' acks, edits…) as comments, to do again. A line that was sent
    is preceded by its client id as a comment: one whose answer was lost at the instant of quitting
    may be in the database too, and its entry carries that id (nothing reads this file back:
    the scribe types the lines again, so the id is for a person, or a script, to check)."""
    from warroom.domain.text import one_line
    from warroom.domain.times import iso_utc
    from warroom.paths import beside_db

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = beside_db(db_path) / f"unsaved-{stamp}.txt"  # for a server: the user data dir
    body = "".join((f"# client id {cid}\n" if cid else "") + f"{iso_utc(at)}  {raw}\n" for at, raw, cid in lines)
    header = ("# Lines typed in warroom that the database did not take: the time typed (UTC), then the line.\n"
              "# Type them again in warroom's line with @TIME first to keep their time (@2026-12-02T10:15:00Z text).\n"
              "# '# client id' names the id a line was sent with: if its answer was lost as warroom quit, it may\n"
              "# be in the database already, under that id (entries.client_id): look before typing it again.\n"
              + "".join(f"# not saved either, do again: {one_line(what)}\n" for what in changes))
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(header + body)
    return path

"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

from datetime import datetime, timezone

# A Monday morning: business hours are open, nothing crosses midnight.
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def hold_write_lock(db_path):
    """Another process's write transaction: the database is locked until ``ROLLBACK``."""
    import sqlite3

    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


class FakeClock:
    """An injectable clock: tests move time with ``advance`` instead of sleeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**kw)
        return self.now


async def wait_for(pilot, predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll a condition (not the clock) while letting the app run."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def table_texts(app) -> list[str]:
    """The plain text of every visible timeline row's entry column."""
    from warroom.ui.widgets.timeline import TimelineTable

    table = app.query_one(TimelineTable)
    return [table.row_cells(i)[4].plain for i in range(table.row_count)]


def pane_text(app, selector: str) -> str:
    widget = app.query_one(selector)
    return str(widget.render()) if not hasattr(widget, "content") else str(widget.content)


def burst(app, *keys: str) -> None:
    """Keys that arrive in one read from the terminal, queued before the app handles any of them:
    ``pilot.press`` waits for the app to go idle after each key, so it cannot show a reordering."""
    from textual import events

    named = {"enter": "\r", "backspace": "\x7f", "escape": "\x1b"}
    for key in keys:
        app.post_message(events.Key(key, named.get(key, key if len(key) == 1 else None)))


def can_mount() -> bool:
    """Whether a small filesystem can be mounted for a real full disk (CI runs as root)."""
    import os
    import shutil

    return os.geteuid() == 0 and shutil.which("mount") is not None


class SmallDisk:
    """A tmpfs of ``kb`` KB mounted on ``path`` (root only): ``fill()`` takes every free byte,
    ``free()`` gives them back — SQLite then fails as on a real full disk."""

    def __init__(self, path, kb: int = 1024) -> None:
        self.path = path
        self.kb = kb

    def __enter__(self) -> "SmallDisk":
        import subprocess

        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.kb}k,mode=0700", "tmpfs", str(self.path)],
                       check=True)
        return self

    def __exit__(self, *exc) -> None:
        import subprocess

        subprocess.run(["umount", "-l", str(self.path)], check=False)

    def fill(self) -> None:
        with open(self.path / "filler", "ab", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError:
                pass

    def free(self) -> None:
        (self.path / "filler").unlink(missing_ok=True)


def corrupt_mid_file(db_path, entries: int = 3000, offset: int = 200_000) -> None:
    """A database of ``entries`` entries with a page of garbage at ``offset``."""
    import asyncio
    import os
    from datetime import timedelta

    from warroom.domain.presets import SEV
    from warroom.store import Store

    async def build():
        async with Store.open(db_path) as store:
            i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
            await store.append_many(i.id, [(T0 + timedelta(seconds=n), "note", "scribe", f"entry {n} " + "x" * 40)
                                           for n in range(entries)], now=T0)
    asyncio.run(build())
    assert os.path.getsize(db_path) > offset + 4096
    with open(db_path, "r+b") as f:
        f.seek(offset)
        f.write(bytes((n * 97 + 13) % 256 for n in range(4096)))

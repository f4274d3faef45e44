"""A full disk: every write says so in one line, nothing half-written, the store works once space is back."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from warroom.domain import incident as inc
from warroom.domain.presets import SEV
from warroom.store import Store, StoreError

from fixtures.support import T0, SmallDisk, can_mount


async def declare(store):
    return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


async def test_a_change_on_a_full_database_is_a_store_error_and_the_store_goes_on(db_path):
    """SQLITE_FULL rolls the transaction back itself: the helper's second ROLLBACK used to raise
    "cannot rollback - no transaction is active", hiding the reason (works without root)."""
    async with Store.open(db_path) as store:
        i = await declare(store)
        await store.limit_pages(1)  # the file cannot grow by a page: SQLite fails as on a full disk
        with pytest.raises(StoreError, match="disk is full"):
            for n in range(200):  # until a page is needed
                await store.change(i.id, lambda x: inc.assign_role(x, "scribe", "s" * 500 + str(n)), author="ic",
                                   at=T0, now=T0)
        with pytest.raises(StoreError, match="disk is full"):
            await store.append_many(i.id, [(T0, "note", "s", "x" * 3000)] * 20, now=T0)
        assert (await store.incident(i.id)).title == "Checkout 500s"  # still readable


@pytest.mark.skipif(not can_mount(), reason="a real full disk needs root to mount a small tmpfs (CI runs as root)")
def test_cli_writes_on_a_full_disk_say_so_in_one_line(tmp_path, warroom_exe, cli_env):
    with SmallDisk(tmp_path / "disk", kb=1024) as disk:
        env = dict(cli_env, WARROOM_DB=str(disk.path / "warroom.db"))

        def warroom(*args):
            return subprocess.run([warroom_exe, *args], env=env, capture_output=True, text=True, timeout=60)

        assert warroom("declare", "Checkout 500s").returncode == 0
        import sqlite3

        keeper = sqlite3.connect(disk.path / "warroom.db")  # a TUI holds the file open: the WAL stays
        keeper.execute("SELECT 1 FROM incidents").fetchall()
        try:
            for n in range(3):
                assert warroom("log", "x" * 3000).returncode == 0
            disk.fill()
            for args in (("ack",), ("status", "mitigating"), ("declare", "second"), ("assign", "ic", "alice"),
                         ("log", "pool at 95%")):
                done = warroom(*args)
                assert done.returncode == 1, (args, done.stderr)
                assert "Traceback" not in done.stderr and "cannot rollback" not in done.stderr, done.stderr
                assert done.stderr.count("\n") == 1 and "disk" in done.stderr, done.stderr
            disk.free()
            assert warroom("ack").returncode == 0
        finally:
            keeper.close()

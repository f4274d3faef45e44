"""Three hosts on one machine (network namespaces): PostgreSQL on ``db``, the war room's screen on
``tui``, the CLI on ``cli``; each client host has its own link to the db host, which a test may cut.

The world is made once per module (namespaces, veth links, ``initdb`` in the db host): ~3 s.
Where namespaces are not permitted (not root, a kernel that refuses) the tests skip with the
reason — but fail under ``WARROOM_REQUIRE_POSTGRES`` (CI, which runs as root), as a PostgreSQL that
cannot start does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from fixtures.netns import Hosts, NamespacesRefused
from fixtures.pg_fixture import REQUIRE_ENV, PostgresServer, start_server
from fixtures.tui_process import TuiProcess

PREFIX = "wrhost"


def unavailable(why: str) -> None:
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{why} (and {REQUIRE_ENV} is set)")
    pytest.skip(why)


@dataclass
class World:
    hosts: Hosts
    server: PostgresServer

    def url(self, dbname: str, host: str) -> str:
        """The database's URL as ``host`` reaches it (password included)."""
        return self.server.url(dbname, host=self.hosts.server_address(host))

    def rows(self, dbname: str, sql: str, params: tuple = ()) -> list[tuple]:
        return self.server.query(dbname, sql, params)

    def listening(self, dbname: str, host: str) -> bool:
        """A connection from ``host`` LISTENs on the database (the screen is live)."""
        return bool(self.rows(dbname, "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'"
                                      " AND host(client_addr) = %s",
                              (dbname, self.hosts.address(host))))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    hosts = Hosts(PREFIX, ["tui", "cli"])
    try:
        hosts.up()
    except NamespacesRefused as exc:
        unavailable(str(exc))
    try:
        try:
            server = start_server(listen=hosts.server_addresses, netns=hosts.db, network=hosts.network)
        except Exception as exc:  # noqa: BLE001 — the reason becomes the skip (or CI's failure)
            unavailable(f"PostgreSQL could not start in a network namespace: {exc}")
        try:
            yield World(hosts, server)
        finally:
            server.stop("immediate")
            shutil.rmtree(server.root, ignore_errors=True)
    finally:
        hosts.down()


@dataclass
class Incident:
    """One test's database, with an incident declared from the CLI host."""

    world: World
    dbname: str
    exe: str
    home: Path

    def env(self, host: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"WARROOM_DB": self.world.url(self.dbname, host), "WARROOM_AUTHOR": host, "TZ": "UTC",
                    "XDG_CONFIG_HOME": str(self.home / host / "config"),
                    "XDG_DATA_HOME": str(self.home / host / "data")})
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """``warroom ARGS…`` on the CLI host."""
        proc = subprocess.run(self.world.hosts.command("cli", self.exe, *args), env=self.env("cli"),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc

    def tui(self) -> TuiProcess:
        """The war room's screen on the TUI host, once it shows the incident and listens."""
        tui = TuiProcess("ip", self.env("tui"), "netns", "exec", self.world.hosts.ns("tui"), self.exe, size=(120, 40))
        tui.wait_for(lambda out: "Checkout 500s" in out, timeout=60, what="the incident on screen")
        deadline = time.monotonic() + 20
        while not self.world.listening(self.dbname, "tui"):
            assert time.monotonic() < deadline, "the screen does not LISTEN"
            time.sleep(0.05)
        return tui

    def texts(self, like: str) -> list[str]:
        """The entries' texts matching ``like``, in the order they were committed."""
        return [r[0] for r in self.world.rows(self.dbname, "SELECT text FROM entries WHERE text LIKE %s ORDER BY id",
                                              (like,))]


@pytest.fixture
def incident(world: World, warroom_exe: str, tmp_path: Path) -> Incident:
    dbname = world.server.new_database().rsplit("/", 1)[1]
    made = Incident(world, dbname, warroom_exe, tmp_path)
    made.cli("declare", "Checkout 500s", "--severity", "SEV-1")
    return made

"""A war room across machines, for real: PostgreSQL on one host, the scribe's screen on a second,
the CLI on a third (network namespaces, see conftest). What the CLI logs is on the screen within a
second; the scribe's link cut for 10 s, or PostgreSQL restarted, while lines are typed: none lost,
none twice, in typing order, and the hint counted them meanwhile."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.slow

WAITING = re.compile(r"(\d+) lines? not saved yet")


def most_waiting(screen: str) -> int:
    """The highest count of waiting lines the hint showed."""
    return max((int(n) for n in WAITING.findall(screen)), default=0)


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def type_lines(tui, names: list[str], every: float) -> None:
    for name in names:
        tui.type(f"{name}\r")
        time.sleep(every)  # the scribe's pace


def settled(incident, tui, last: str) -> None:
    """Type ``last`` and wait until it is written: lines are written in typing order, so every line
    before it — and any retry of one — is done by then."""
    tui.type(f"{last}\r")
    wait_until(lambda: incident.texts(last) == [last], 60, "the lines written")


def test_an_entry_logged_on_one_host_is_on_another_hosts_screen_within_a_second(incident):
    tui = incident.tui()
    try:
        took = []
        for n in range(3):
            incident.cli("log", f"from-cli-host-{n}")
            start = time.monotonic()
            tui.wait_for(lambda out, n=n: f"from-cli-host-{n}" in out, timeout=10, what=f"entry {n} on screen")
            took.append(time.monotonic() - start)
        assert max(took) < 1.0, f"the other host's entries took {took} s to be on screen"
    finally:
        tui.close()


def test_the_scribes_link_cut_for_ten_seconds_loses_no_line_and_writes_none_twice(incident):
    hosts = incident.world.hosts
    tui = incident.tui()
    try:
        tui.type("before-the-cut\r")
        wait_until(lambda: incident.texts("before-the-cut") == ["before-the-cut"], 10, "the first line written")
        lines = [f"cut-line-{n:02d}" for n in range(1, 21)]
        hosts.cut("tui")
        cut_at = time.monotonic()
        try:
            type_lines(tui, lines, every=0.4)
            tui.wait_for(lambda out: most_waiting(out) == 20, timeout=15,
                         what="the hint counting the 20 lines while the link is down")
            assert incident.texts("cut-line-%") == []  # nothing went through a cut link
        finally:
            time.sleep(max(0.0, 10 - (time.monotonic() - cut_at)))  # the link stays down 10 s
            hosts.mend("tui")
        settled(incident, tui, "after-the-cut-typed")
        assert incident.texts("cut-line-%") == lines
        incident.cli("log", "after-the-cut")
        tui.wait_for(lambda out: "after-the-cut" in out, timeout=10, what="the screen live again")
    finally:
        tui.close()


def test_postgresql_restarted_mid_typing_loses_no_line_and_writes_none_twice(incident):
    server = incident.world.server
    tui = incident.tui()
    try:
        lines = [f"restart-line-{n:02d}" for n in range(1, 21)]
        type_lines(tui, lines[:5], every=0.2)
        wait_until(lambda: len(incident.texts("restart-line-%")) == 5, 10, "the first lines written")
        server.stop()
        try:
            type_lines(tui, lines[5:15], every=0.2)
            tui.wait_for(lambda out: most_waiting(out) == 10, timeout=15,
                         what="the hint counting the 10 lines typed while the server is down")
        finally:
            server.start()
        type_lines(tui, lines[15:], every=0.2)
        settled(incident, tui, "after-the-restart-typed")
        assert incident.texts("restart-line-%") == lines
        incident.cli("log", "after-the-restart")
        tui.wait_for(lambda out: "after-the-restart" in out, timeout=10, what="the screen live again")
    finally:
        tui.close()

"""End-to-end through the installed console script (issue #19): acknowledging before declaring,
declaring at the real time afterwards, backdating that would land a day early, writing into a
resolved incident, and bad arguments as one line with exit 1. ``TZ=UTC`` (see ``cli_env``)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

pytestmark = pytest.mark.engines("sqlite", "postgres")


def ago(**kw) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(**kw)).replace(second=0, microsecond=0)


def hhmm(at: datetime) -> str:
    return f"{at:%H:%M}"


def one_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warroom: error: "), proc.stderr
    return lines[0]


def milestones(wr, incident_id: str) -> dict[str, str]:
    return json.loads(wr("export", "-i", incident_id, "--format", "json").stdout)["incident"]["milestones"]


def test_the_page_acknowledged_then_the_incident_declared(wr):
    # The runbook's order: acknowledge the alert at 10:07, declare the incident at 10:12.
    declared, acked = ago(minutes=5), ago(minutes=10)
    incident_id = wr("declare", "Checkout 500s", "--declared-at", hhmm(declared)).stdout.strip()
    assert wr("ack", "--at", hhmm(acked)).stdout.strip() == f"#{incident_id}: Acknowledged by tester"
    ms = milestones(wr, incident_id)
    assert ms["acknowledged"] < ms["declared"]
    assert ms["declared"].startswith(f"{declared:%Y-%m-%dT%H:%M}")
    md = wr("export").stdout
    assert "- Time to acknowledge: 0s" in md  # counted from the declaration (detection unknown), not negative
    # Detection still comes first.
    other = wr("declare", "DNS", "--detected-at", hhmm(ago(minutes=8))).stdout.strip()
    refused = one_error(wr("ack", "-i", other, "--at", f"{ago(minutes=9):%Y-%m-%dT%H:%M}", ok=False))
    assert "acknowledged at" in refused and "would be before detected at" in refused


def test_an_incident_written_up_afterwards_is_declared_at_its_real_time(wr):
    declared = ago(days=1, hours=2)
    incident_id = wr("declare", "Night outage", "--declared-at", f"{declared:%Y-%m-%dT%H:%M}Z",
                     "--detected-at", f"{declared - timedelta(minutes=7):%Y-%m-%dT%H:%M}Z").stdout.strip()
    wr("ack", "--at", f"{declared + timedelta(minutes=3):%Y-%m-%dT%H:%M}Z")
    wr("status", "resolved", "--at", f"{declared + timedelta(hours=1):%Y-%m-%dT%H:%M}Z")
    data = json.loads(wr("export", "-i", incident_id, "--format", "json").stdout)
    assert data["incident"]["milestones"]["declared"].startswith(f"{declared:%Y-%m-%dT%H:%M}")
    assert data["durations"]["acknowledge"] == 600 and data["durations"]["resolve"] == 67 * 60
    assert data["durations"]["detect"] == 7 * 60
    listing = wr("list", "--all").stdout
    assert re.search(rf"#{incident_id}\s+SEV-2\s+resolved\s+1h07m\s+Night outage", listing), listing
    # Declared in the future, or detected after the declaration: one line, nothing written.
    future = one_error(wr("declare", "x", "--declared-at", f"{ago(minutes=-30):%Y-%m-%dT%H:%M}Z", ok=False))
    assert "in the future" in future
    late = one_error(wr("declare", "x", "--declared-at", hhmm(ago(minutes=20)),
                        "--detected-at", hhmm(ago(minutes=10)), ok=False))
    assert "would be after declared at" in late


def test_an_hh_mm_that_lands_before_the_incident_is_refused_with_the_date(wr):
    incident_id = wr("declare", "Checkout 500s").stdout.strip()
    early = ago(hours=7)
    refused = one_error(wr("log", "--at", hhmm(early), "from a day too early", ok=False))
    assert refused.startswith(f"warroom: error: '{hhmm(early)}' is {early:%Y-%m-%d %H:%M}, 7h")
    assert f"before #{incident_id} was declared" in refused
    assert refused.endswith(f"to mean that, give the date: --at {early:%Y-%m-%dT%H:%M}")
    assert "from a day too early" not in wr("export").stdout
    # Given with its date, it is taken as meant; a few minutes back is fine as HH:MM.
    wr("log", "--at", f"{early:%Y-%m-%dT%H:%M}", "the deploy that started it")
    wr("log", "--at", hhmm(ago(minutes=2)), "just now")
    # The same for milestones: an ack before detection, typed as HH:MM, names the date too.
    other = wr("declare", "DNS", "--detected-at", hhmm(ago(minutes=30))).stdout.strip()
    refused = one_error(wr("ack", "-i", other, "--at", hhmm(ago(minutes=40)), ok=False))
    assert f"before #{other} was detected" in refused and "give the date: --at " in refused


def test_log_says_where_it_wrote_and_a_resolved_active_incident_needs_i(wr):
    ids = [wr("declare", title).stdout.strip() for title in ("API errors", "DB slow", "Queue stuck", "Checkout")]
    first = wr("log", "into the active one").stdout.strip()
    assert re.fullmatch(rf"#{ids[3]} Checkout: entry \d+ \(\d\d:\d\d:\d\d\)", first), first
    assert re.search(rf"^\*\s+#{ids[3]}\s", wr("list").stdout, re.M)  # the active incident is marked
    wr("status", "resolved")
    refused = one_error(wr("log", "where does this go?", ok=False))
    assert f"the active incident #{ids[3]} (Checkout) is resolved" in refused
    assert f"-i {ids[3]}" in refused
    assert f"open: #{ids[2]} Queue stuck, #{ids[1]} DB slow, #{ids[0]} API errors" in refused
    assert "where does this go?" not in wr("export", "-i", ids[3]).stdout
    one_error(wr("ack", ok=False))
    listing = wr("list").stdout
    assert listing.splitlines()[-1] == f"active: #{ids[3]} (resolved; log, ack and status need -i while it is)"
    # Asked for explicitly, it is written there, and says so.
    written = wr("log", "-i", ids[3], "late note").stdout.strip()
    assert re.fullmatch(rf"#{ids[3]} Checkout: entry \d+ \(\d\d:\d\d:\d\d\)", written), written
    assert "late note" in wr("export", "-i", ids[3]).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log",), "the following arguments are required: TEXT (see warroom log --help)"),
        (("list", "--bogus"), "unrecognized arguments: --bogus"),
        (("export", "-f", "pdf"), "invalid choice: 'pdf'"),
        (("log", "-i", "x", "hello"), "not an incident id: 'x'"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_1(wr, args, message):
    line = one_error(wr(*args, ok=False))
    assert message in line and "usage:" not in line


def test_help_still_shows_the_usage(wr):
    proc = wr("log", "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: warroom log")

"""End-to-end: the installed ``warroom`` console script, as a second terminal would use it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from fixtures.pg_fixture import PASSWORD

pytestmark = pytest.mark.engines("sqlite", "postgres")


def _minutes_ago(n: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_declare_log_and_export_round_trip(wr, tmp_path):
    out = wr("declare", "Checkout 500s", "--severity", "sev1", "--detected-at", _minutes_ago(10),
             "--service", "checkout", "--service", "payments").stdout
    incident_id = int(out.strip())
    assert re.fullmatch(rf"#{incident_id} Checkout 500s: entry \d+ \(\d\d:\d\d:\d\d\)",
                        wr("log", "error rate 15x baseline").stdout.strip())
    wr("log", "--at", _minutes_ago(8), "--kind", "action", "--author", "bob", "rolled", "back", "v2.3.1")
    assert "Acknowledged by tester" in wr("ack").stdout
    assert "Status investigating → identified" in wr("status", "identified").stdout
    assert "Severity lowered: SEV-1 Critical → SEV-2 High" in wr("severity", "SEV-2").stdout
    assert "Incident commander: Alice" in wr("assign", "ic", "Alice").stdout
    listing = wr("list").stdout
    assert f"*  #{incident_id}" in listing and "Checkout 500s" in listing and "identified" in listing

    md = wr("export").stdout
    assert md.startswith(f"# Incident #{incident_id}: Checkout 500s")
    assert "| action | bob | rolled back v2.3.1" in md
    # detected 10 min ago at SEV-1, acknowledged now: SEV-1's 5 min passed before the downgrade (issue #19)
    assert "| acknowledge | SEV-1 | 5 min |" in md and "missed by" in md

    target = tmp_path / "pir.md"
    wr("export", "-o", str(target))
    written = target.read_text()
    assert written.split("## Timeline")[1] == md.split("## Timeline")[1]
    data = json.loads(wr("export", "--format", "json").stdout)
    assert data["incident"]["severity"] == "SEV-2"
    assert data["incident"]["roles"] == {"commander": "Alice"}
    assert [e["kind"] for e in data["entries"]].count("action") == 1


def test_a_downgrade_does_not_erase_a_breach(wr):
    """Issue #19: declare SEV-1 detected 20 min ago, lower it to SEV-3, acknowledge: the SEV-1
    acknowledge target (5 min) was breached long before the downgrade, and the export says so."""
    wr("declare", "Search latency", "-s", "sev1", "--detected-at", _minutes_ago(20))
    wr("severity", "sev3")
    wr("ack")
    md = wr("export").stdout
    assert "| acknowledge | SEV-1 | 5 min |" in md
    row = next(line for line in md.splitlines() if line.startswith("| acknowledge |"))
    assert "missed by 1" in row and "| met" not in row  # missed by ~15m, not met under SEV-3's hour
    history = md.split("## Severity history", 1)[1].split("## SLA compliance", 1)[0]
    assert "Declared at SEV-1 Critical." in history
    assert "| SEV-1 Critical | SEV-3 Medium | tester |" in history
    data = json.loads(wr("export", "--format", "json").stdout)
    assert [(c["from"], c["to"]) for c in data["severity_history"]] == [("SEV-1", "SEV-3")]
    ack = next(t for t in data["sla"]["targets"] if t["name"] == "acknowledge")
    assert (ack["judged_under"], ack["state"]) == ("SEV-1", "missed")


def test_an_upgrade_moves_the_deadlines_both_ways(wr):
    """Raised past its shorter deadline: breached from the raise; raised before it: the shorter deadline holds."""
    wr("declare", "late raise", "-s", "sev3", "--detected-at", _minutes_ago(20))
    wr("severity", "sev1")
    row = next(line for line in wr("export").stdout.splitlines() if line.startswith("| acknowledge |"))
    assert "| SEV-1 | 5 min |" in row and "BREACHED" in row and "breached when the severity changed" in row

    wr("declare", "early raise", "-s", "sev3", "--detected-at", _minutes_ago(1))
    wr("severity", "sev1")
    row = next(line for line in wr("export").stdout.splitlines() if line.startswith("| acknowledge |"))
    assert "| SEV-1 | 5 min |" in row and "left" in row

    wr("declare", "early drop", "-s", "sev1", "--detected-at", _minutes_ago(1))
    wr("severity", "sev3")
    wr("ack")
    row = next(line for line in wr("export").stdout.splitlines() if line.startswith("| acknowledge |"))
    assert "| SEV-3 | 1 h |" in row and "met at" in row


def test_list_all_shows_resolved(wr):
    first = wr("declare", "old one").stdout.strip()
    wr("status", "resolved")
    wr("declare", "new one", "--policy", "p1", "-s", "p2")
    assert "old one" not in wr("list").stdout
    everything = wr("list", "--all").stdout
    assert "old one" in everything and "new one" in everything and "P2" in everything
    # -i addresses a non-active incident
    assert wr("log", "-i", first, "late note").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "-i", "99", "x"), "no incident #99"),
        (("severity", "SEV-9"), "unknown severity 'SEV-9' for policy 'sev' (levels: SEV-1, SEV-2, SEV-3, SEV-4)"),
        (("status", "fixed"), "unknown status 'fixed'"),
        (("log", "--at", "25:99", "x"), "not a time of day"),
        (("log", "--at", "yesterday-ish", "x"), "not a time"),
        (("log", "--kind", "gossip", "x"), "unknown kind 'gossip'"),
        (("assign", "boss", "Eve"), "unknown role 'boss'"),
        (("status", "resolved", "--at", "2020-01-01T00:00Z"), "resolved at 2020-01-01 00:00:00Z would be before declared"),
    ],
)
def test_errors_are_one_clear_line(wr, args, message):
    wr("declare", "something broke")
    proc = wr(*args, ok=False)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warroom: error: ") and message in lines[0], proc.stderr


def test_no_active_incident(wr):
    proc = wr("log", "hello", ok=False)
    assert proc.returncode == 1 and "no active incident" in proc.stderr


def test_future_time_is_refused(wr):
    wr("declare", "x")
    future = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    proc = wr("log", "--at", future, "from the future", ok=False)
    assert "in the future" in proc.stderr


@pytest.mark.engines("sqlite")
def test_corrupt_database(wr, db_path):
    db_path.write_bytes(b"garbage" * 1000)
    proc = wr("list", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "corrupt or not a warroom database" in proc.stderr
    assert db_path.read_bytes() == b"garbage" * 1000


@pytest.mark.engines("sqlite")
def test_locked_database(wr, db_path, cli_env):
    wr("declare", "x")
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        proc = wr("log", "blocked", ok=False)
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert proc.returncode == 1 and "locked by another process" in proc.stderr
    assert wr("log", "unblocked").returncode == 0


def test_policy_file(wr, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('base = "sev"\n[[levels]]\nkey = "SEV-1"\ntargets = { acknowledge = "2m" }\n')
    wr("declare", "custom", "--policy", str(policy), "-s", "1")
    assert "| acknowledge | SEV-1 | 2 min |" in wr("export").stdout
    broken = tmp_path / "broken.toml"
    broken.write_text("[[levels]\nkey=")
    proc = wr("declare", "x", "--policy", str(broken), ok=False)
    assert str(broken) in proc.stderr and proc.stderr.count("\n") == 1


def test_subcommands_import_neither_textual_nor_kubernetes(cli_env):
    code = ("import sys; from warroom.cli import main; rc = main(['list']); "
            "bad = [m for m in ('textual', 'kubernetes', 'httpx') if m in sys.modules]; "
            "print(bad); sys.exit(rc or bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], env=cli_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_where_prints_the_database_without_its_password(wr, cli_db):
    shown = wr("where").stdout.strip()
    assert shown == str(cli_db).replace(PASSWORD, "***") and PASSWORD not in shown


@pytest.mark.engines("postgres")
def test_a_server_that_refuses_is_one_line_without_the_password(wr, cli_env, pg_server):
    cli_env["WARROOM_DB"] = pg_server.url("postgres", password="not-" + PASSWORD)
    proc = wr("list", ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and PASSWORD not in proc.stderr
    assert "password authentication failed" in proc.stderr and "***" in proc.stderr
    cli_env["WARROOM_DB"] = f"postgresql://warroom:{PASSWORD}@127.0.0.1:1/x"
    proc = wr("--db", cli_env.pop("WARROOM_DB"), "log", "x", ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and PASSWORD not in proc.stderr


@pytest.mark.engines("postgres")
def test_doctor_checks_the_postgresql_database(wr, cli_env, pg_url):
    wr("declare", "x")
    line = next(l for l in wr("doctor", ok=False).stdout.splitlines() if "database" in l)
    assert line.startswith("OK") and "schema version" in line and "PostgreSQL 15" in line, line
    assert PASSWORD not in line and "role warroom" in line
    cli_env["WARROOM_DB"] = pg_url.replace(PASSWORD, "wrong")
    line = next(l for l in wr("doctor", ok=False).stdout.splitlines() if "database" in l)
    assert line.startswith("FAIL") and "password authentication failed" in line

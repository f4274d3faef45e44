"""Issue #20: bad input is one clear line, never a traceback; a bad row already stored is shown,
never fatal. End to end, through the installed ``warroom`` script."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import pytest

BAD_AT = "999-06-01T00:00:00.000000+00:00"


@pytest.fixture
def wr(warroom_exe, cli_env):
    def run(*args: str | bytes, ok: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([warroom_exe, *args], env=cli_env, capture_output=True, timeout=60)
        proc.stdout, proc.stderr = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
        if ok:
            assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        return proc
    return run


def one_line_error(proc) -> str:
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "error: " in lines[0], proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "--at", "0999-06-01T00:00Z", "x"), "'0999-06-01T00:00Z' is out of range"),
        (("declare", "y", "--detected-at", "0999-06-01T00:00Z"), "is out of range"),
        (("ack", "--at", "1026-11-23T10:00Z"), "is out of range"),
        (("log", "-i", "99999999999999999999", "x"), "not an incident id: '99999999999999999999'"),
        (("export", "-i", "9223372036854775808"), "not an incident id"),
        (("prune", "--older-than", "99999999999d"), "'99999999999d' is too long (at most 3653 days)"),
        (("severity", "1" * 5000), "unknown severity"),
        (("log", "--kind"), "expected one argument (see warroom log --help)"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(wr, db_path, args, message):
    wr("declare", "something broke")
    assert message in one_line_error(wr(*args, ok=False))
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    con.close()


def test_a_year_below_1000_does_not_poison_the_incident(wr):
    wr("declare", "something broke")
    one_line_error(wr("log", "--at", "0999-06-01T00:00Z", "x", ok=False))
    wr("log", "still fine")
    assert "still fine" in wr("export").stdout


def test_a_bad_time_already_stored_is_shown_as_unreadable_everywhere(wr, db_path):
    incident_id = wr("declare", "something broke").stdout.strip()
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("INSERT INTO entries (incident_id, at, logged_at, author, kind, text) VALUES (?,?,?,?,?,?)",
                (int(incident_id), BAD_AT, "2026-01-01T00:00:00.000000Z", "old", "note", "poisoned"))
    con.close()
    assert "something broke" in wr("list").stdout
    assert wr("log", "next").stdout.startswith(f"#{incident_id} something broke: entry ")
    assert "unreadable time" in wr("export").stdout.split("poisoned")[0].splitlines()[-1]
    entries = json.loads(wr("export", "--format", "json").stdout)["entries"]
    assert [e["text"] for e in entries if "poisoned" in e["text"]] == [f"[unreadable time {BAD_AT!r}] poisoned"]


def test_bytes_that_are_not_utf8_are_logged_visibly(wr, cli_env):
    wr("declare", "something broke")
    cli_env["WARROOM_AUTHOR"] = os.fsdecode(b"b\xffb")
    wr("log", b"disk \xff full")
    entry = json.loads(wr("export", "--format", "json").stdout)["entries"][-1]
    assert (entry["text"], entry["author"]) == ("disk <0xFF> full", "b<0xFF>b")
    assert "disk &lt;0xFF> full" in wr("export").stdout  # markdown: shown literally, never as HTML


def test_a_policy_target_beyond_ten_years_is_refused(wr, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('base = "sev"\n[[levels]]\nkey = "SEV-1"\ntargets = { acknowledge = "99999999999999d" }\n')
    line = one_line_error(wr("declare", "x", "--policy", str(policy), "-s", "1", ok=False))
    assert str(policy) in line and "duration too long: '99999999999999d' (at most 3653 days)" in line


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('insecure_skip_verify = "false"', "insecure_skip_verify must be true or false (a TOML boolean, unquoted), "
                                           "got the string 'false'"),
        ('insecure_skip_verify = "no"', "insecure_skip_verify must be true or false"),
        ("timeout = nan", "timeout must be a positive number of seconds up to 3600, got the number nan"),
        ("timeout = inf", "timeout must be a positive number of seconds"),
        ('[[prometheus.panels]]\ntitle = "a"\nquery = "up"\nbaseline = "offset 99999999999d"',
         "baseline: offset: '99999999999d' is too long"),
    ],
)
def test_config_types_are_strict(wr, tmp_path, setting, message):
    config = tmp_path / "c.toml"
    config.write_text(f'[prometheus]\nurl = "http://127.0.0.1:9"\n{setting}\n')
    line = one_line_error(wr("metrics", "--config", str(config), ok=False))
    assert str(config) in line and message in line

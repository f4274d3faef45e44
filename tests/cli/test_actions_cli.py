"""``warroom actions`` across incidents and ``warroom action done|open``, end to end through the
installed script, on both engines: the grammar through ``log --kind action``, the filters, each
format's escaping (CSV injection, markdown that a CommonMark parser reads without any heading,
link or HTML from the user's text), and a done action surviving a JSON export and import."""

from __future__ import annotations

import csv
import io
import json

import pytest
from markdown_it import MarkdownIt

pytestmark = pytest.mark.engines("sqlite", "postgres")

HOSTILE = "=HYPERLINK(\"http://evil\") <b>x</b> [link](http://evil) # not a heading"


def seeded(wr):
    wr("declare", "Checkout | 500s", "-s", "SEV-1")
    assert "unknown tag [bug]" in wr("log", "-k", "action", "[bug] x", ok=False).stderr  # refused, nothing written
    wr("log", "-k", "action", "@alice [prevent] [P2] add a pool alert by 2099-01-02 #JIRA-123")
    wr("log", "-k", "action", "@bob [mitigate] [P0] roll back the deploy")
    wr("log", "-k", "action", f"@mallory [process] {HOSTILE}")
    wr("log", "a plain note")
    wr("declare", "Search slow", "-s", "SEV-3")
    wr("log", "-k", "action", "@Alice [process] [P1] write the runbook by 2000-01-01")


def test_actions_list_open_first_by_priority(wr, engine):
    seeded(wr)
    rows = json.loads(wr("actions", "--format", "json").stdout)["actions"]
    assert [(r["priority"], r["type"], r["owner"], r["action"][:12]) for r in rows] == [
        ("P0", "mitigate", "bob", "roll back th"), ("P1", "process", "Alice", "write the ru"),
        ("P2", "prevent", "alice", "add a pool a"), (None, "process", "mallory", HOSTILE[:12])]
    assert rows[1]["overdue"] is True and rows[2]["tracker"] == "JIRA-123"
    assert rows[2]["due"] == "2099-01-02T17:00:00.000000Z"


def test_done_from_the_cli_and_the_filters(wr, engine):
    seeded(wr)
    rows = json.loads(wr("actions", "-f", "json").stdout)["actions"]
    rollback = next(r for r in rows if r["owner"] == "bob")["entry"]
    done = wr("action", "done", str(rollback), "--author", "carol")
    assert done.stdout.startswith(f"action {rollback} done: #1 Checkout | 500s: roll back the deploy")
    again = wr("action", "done", str(rollback), ok=False)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "already done" in again.stderr
    listed = json.loads(wr("actions", "-f", "json").stdout)["actions"]
    assert listed[-1]["entry"] == rollback and listed[-1]["done"]["by"] == "carol"  # done ones last
    open_ones = json.loads(wr("actions", "--open", "-f", "json").stdout)["actions"]
    assert rollback not in [r["entry"] for r in open_ones] and len(open_ones) == 3
    alice = json.loads(wr("actions", "--owner", "@ALICE", "-f", "json").stdout)["actions"]
    assert sorted(r["action"] for r in alice) == ["add a pool alert", "write the runbook"]
    wr("action", "open", str(rollback))
    assert len(json.loads(wr("actions", "--open", "-f", "json").stdout)["actions"]) == 4
    note = wr("action", "done", "6", ok=False)  # entry 6 is the plain note
    assert "not an action item" in note.stderr and note.stderr.count("\n") == 1


def test_csv_cells_never_start_a_formula(wr, engine):
    seeded(wr)
    rows = list(csv.DictReader(io.StringIO(wr("actions", "--format", "csv").stdout)))
    hostile = next(r for r in rows if r["owner"] == "mallory")
    assert hostile["action"] == "'" + HOSTILE
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values()), row


def test_markdown_has_no_heading_link_or_html_from_user_text(wr, engine):
    seeded(wr)
    text = wr("actions").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"html_block", "html_inline", "link_open", "image"}
    assert [t.content for t in tokens if t.type == "inline" and tokens[tokens.index(t) - 1].type == "heading_open"] \
        == ["Action items"]
    assert "add a pool alert" in text and "JIRA-123" in text


def test_a_done_action_survives_export_and_import(wr, engine, tmp_path):
    seeded(wr)
    rows = json.loads(wr("actions", "-f", "json").stdout)["actions"]
    first = next(r for r in rows if r["owner"] == "alice")["entry"]
    wr("action", "done", str(first))
    path = tmp_path / "i25a-export.json"
    wr("export", "-i", "1", "--format", "json", "-o", str(path))
    exported = json.loads(path.read_text())
    entry = next(e for e in exported["entries"] if e["id"] == first)
    assert entry["action"] == {"type": "prevent", "priority": "P2", "tracker": "JIRA-123"}
    assert entry["done"]["by"] == "tester"
    target = tmp_path / "i25a-imported.db"
    proc = wr("--db", str(target), "import", str(path))
    listed = json.loads(wr("--db", str(target), "actions", "-f", "json").stdout)["actions"]
    assert [r["status"] for r in listed if r["owner"] == "alice"] == ["done"], proc.stdout

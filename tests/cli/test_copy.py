"""``warroom copy`` and ``warroom import`` through the installed console script, on both engines
(``WARROOM_DB`` is this test's SQLite file or PostgreSQL database): the round trip SQLite → the
engine → SQLite gives the same JSON export, with the incident's and entries' ids (which each
destination numbers itself) and the export's own time taken out of the comparison; an export
imported gives the same export; a second copy writes nothing; hostile files write nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.domain.presets import SEV
from warroom.store import open_store

from fixtures.pg_fixture import PASSWORD
from fixtures.support import T0, raw_sql
from fixtures.whole import READINGS, SECRET, normalised, rich_incident

pytestmark = pytest.mark.engines("sqlite", "postgres")


def export(wr, db, incident_id: int) -> dict:
    return json.loads(wr("--db", str(db), "export", "-i", str(incident_id), "--format", "json").stdout)


def count(db, table: str = "incidents") -> int:
    return raw_sql(db, f"SELECT count(*) FROM {table}")[0][0]


def assert_quiet_about_the_password(*procs) -> None:
    for proc in procs:
        assert PASSWORD not in proc.stdout + proc.stderr


async def laptop(tmp_path: Path, **kw) -> tuple[Path, int]:
    """A SQLite file with an earlier incident and the rich one (so its id is 2)."""
    path = tmp_path / "laptop.db"
    async with open_store(path) as store:
        await store.declare("Earlier", SEV, "SEV-3", now=T0 - timedelta(days=1), author="x")
        return path, await rich_incident(store, **kw)


async def test_sqlite_to_the_engine_and_back_gives_the_same_export(wr, cli_db, tmp_path):
    source, incident_id = await laptop(tmp_path, resolved=True)
    there = wr("copy", "--from", str(source), "--to", str(cli_db), "-i", str(incident_id))
    assert there.stdout == f"#2 → #1 Checkout is down: 13 entries, 3 revisions, {READINGS:,} readings\n"
    back = tmp_path / "back.db"
    home = wr("copy", "--from", str(cli_db), "--to", str(back))
    assert home.stdout == f"#1 → #1 Checkout is down: 13 entries, 3 revisions, {READINGS:,} readings\n"
    original, returned = export(wr, source, incident_id), export(wr, back, 1)
    assert normalised(returned) == normalised(original) and returned["incident"]["id"] == 1
    assert SECRET not in json.dumps(returned)  # the redaction came along: hidden still
    assert count(back, "readings") == READINGS
    assert_quiet_about_the_password(there, home)


async def test_copying_again_writes_nothing_and_says_where_it_is(wr, cli_db, tmp_path):
    source, _ = await laptop(tmp_path)
    first = wr("copy", "--from", str(source), "--to", str(cli_db))
    assert first.stdout.splitlines()[0] == "#1 → #1 Earlier: 1 entry, 0 revisions, 0 readings"
    entries = count(cli_db, "entries")
    again = wr("copy", "--from", str(source), "--to", str(cli_db))
    assert again.stdout.splitlines()[1].startswith("#2 Checkout is down: already in ")
    assert again.stdout.splitlines()[1].endswith(" as #2; nothing written")
    back_home = wr("copy", "--from", str(cli_db), "--to", str(source), "-i", "2")
    assert back_home.stdout.endswith(" as #2; nothing written\n")
    assert (count(cli_db), count(cli_db, "entries"), count(source)) == (2, entries, 2)
    assert_quiet_about_the_password(first, again, back_home)


async def test_without_i_every_incident_and_the_last_open_one_becomes_active(wr, cli_db, tmp_path):
    source, _ = await laptop(tmp_path, drill=True)
    wr("copy", "--from", str(source), "--to", str(cli_db))
    listed = wr("list").stdout  # the drill is never active: the open real incident is
    assert "* #1" in listed.replace("  ", " ") and "[DRILL] Checkout is down" in listed
    drill_copy = tmp_path / "drill.db"
    wr("copy", "--from", str(cli_db), "--to", str(drill_copy), "-i", "2")
    async with open_store(drill_copy) as store:
        assert (await store.drill_scenario(1)).name == "bad-deploy"


async def test_an_exported_incident_imported_gives_the_same_export(wr, cli_db, tmp_path):
    source, incident_id = await laptop(tmp_path, resolved=True)
    file = tmp_path / "incident.json"
    wr("--db", str(source), "export", "-i", str(incident_id), "--format", "json", "-o", str(file))
    first = wr("import", str(file))
    # 2 revisions: the redacted entry's (its text before the edit) is never exported, so never imported
    assert first.stdout == "#2 → #1 Checkout is down: 13 entries, 2 revisions\n"
    assert normalised(export(wr, cli_db, 1)) == normalised(json.loads(file.read_text()))
    again = wr("import", str(file))
    assert again.stdout.endswith(" as #1; nothing written\n") and count(cli_db) == 1
    assert_quiet_about_the_password(first, again)


def good_export() -> dict:
    return {
        "format": "warroom-export", "version": 1,
        "incident": {"id": 3, "title": "T", "severity": "SEV-2", "status": "investigating", "drill": False,
                     "policy": {"name": "sev", "levels": [{"key": "SEV-1"}, {"key": "SEV-2"}]},
                     "roles": {}, "services": [], "impact": "", "summary": "",
                     "milestones": {"declared": "2026-11-23T10:00:00.000000Z"}},
        "entries": [{"id": 1, "at": "2026-11-23T10:00:00.000000Z", "logged_at": "2026-11-23T10:00:00.000000Z",
                     "author": "a", "kind": "note", "text": "fine", "starred": False, "revision": 1, "owner": None,
                     "due": None, "redacted": None, "revisions": []}],
    }


def changed(path: str, value) -> bytes:
    data = good_export()
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    node[int(last) if isinstance(node, list) else last] = value
    return json.dumps(data).encode()


@pytest.mark.engines("sqlite")  # refused before any database is written, whichever the engine (see below)
@pytest.mark.parametrize("content, says", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[" * 100_000, "nested too deeply"),
    (b'{"format": NaN}', "NaN"),
    (b'"\\ud800"', "not valid Unicode"),
    (b"[]", "the file: expected an object"),
    (changed("format", "something-else"), "not a warroom export"),
    (changed("version", 2), "version 2"),
    (changed("incident.id", 2**70), "incident.id: not an id"),
    (changed("incident.id", True), "incident.id: expected a whole number"),
    (changed("incident.title", " "), "incident.title"),
    (changed("incident.severity", "SEV-9"), "unknown severity"),
    (changed("incident.status", "fine"), "incident.status"),
    (changed("incident.roles", {"king": "x"}), "incident.roles.king"),
    (changed("incident.policy", {"levels": "x"}), "incident.policy"),
    (changed("incident.milestones", {"declared": "2026-11-23T10:00:00Z", "resolved": "2026-11-23T09:00:00Z"}),
     "keep the order"),
    (changed("incident.milestones", {}), "has a declared milestone"),
    (changed("entries.0.kind", "gossip"), "entries[0].kind: unknown kind"),
    (changed("entries.0.at", "noon"), "entries[0].at: not a time"),
    (changed("entries.0.text", None), "entries[0].text"),
    (changed("entries.0.redacted", {"at": "2026-11-23T10:00:00Z", "by": "a", "reason": "r"}),
     "a redacted entry's text is never exported"),
    (changed("entries.0.revisions", [{"revision": 1, "at": "2026-11-23T10:00:00Z", "kind": "note", "text": "x",
                                      "author": "a", "replaced_at": "2026-11-23T10:00:00Z", "replaced_by": "a"}]),
     "entries[0].revisions[0].revision"),
    (json.dumps(dict(good_export(), entries=good_export()["entries"] * 2)).encode(), "in the file twice"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_hostile_file_is_one_line_and_writes_nothing(wr, cli_db, tmp_path, content, says):
    file = tmp_path / "hostile.json"
    file.write_bytes(content)
    proc = wr("import", str(file), ok=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"warroom: error: {file}: ") and proc.stderr.count("\n") == 1
    assert says in proc.stderr and proc.stderr.rstrip().endswith("nothing was written")
    assert count(cli_db) == 0
    file.write_text(json.dumps(good_export()))  # a good one goes in
    wr("import", str(file))
    assert count(cli_db) == 1


def test_text_from_the_file_is_shown_literally(wr, cli_db, tmp_path):
    file = tmp_path / "escapes.json"
    file.write_bytes(changed("incident.title", "\x1b]52;c;ZXZpbA==\x07Pwned"))
    proc = wr("import", str(file))
    assert "\x1b" not in proc.stdout and "␛]52;c;ZXZpbA==" in proc.stdout
    assert raw_sql(cli_db, "SELECT title FROM incidents") == [("\x1b]52;c;ZXZpbA==\x07Pwned",)]  # kept as written


@pytest.mark.parametrize("argv, says", [
    (["copy", "--from", "{missing}", "--to", "{db}"], "no database at "),
    (["copy", "--from", "{db}", "--to", "{db}"], "the same database"),
    (["copy", "--from", "{db}", "--to", "{other}", "-i", "9"], "no incident #9"),
    (["import", "{missing}"], "No such file or directory"),
])
def test_mistakes_are_one_line(wr, cli_db, tmp_path, argv, says):
    wr("declare", "Here")
    names = {"missing": str(tmp_path / "missing.db"), "db": str(cli_db), "other": str(tmp_path / "other.db")}
    proc = wr(*(a.format(**names) for a in argv), ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert says in proc.stderr
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "other.db").exists()
    assert_quiet_about_the_password(proc)


def test_a_destination_that_refuses_is_one_line_without_its_password(wr, cli_db, pg_server, tmp_path):
    wr("declare", "Here")
    wrong = pg_server.url("t_does_not_exist", password="Wrong-" + PASSWORD)
    proc = wr("copy", "--to", wrong, ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "cannot connect to database" in proc.stderr
    assert PASSWORD not in proc.stderr and "Wrong-" not in proc.stderr


def test_what_the_database_refuses_half_way_writes_nothing(wr, cli_db, engine, tmp_path):
    """A NUL in the last entry's text: SQLite keeps it, PostgreSQL refuses it — after the incident
    and the first entries were written, in the same transaction: nothing stays."""
    data = good_export()
    data["entries"] += [dict(data["entries"][0], id=n, text=f"line {n}") for n in range(2, 6)]
    data["entries"][-1]["text"] = "nul \x00 here"
    file = tmp_path / "nul.json"
    file.write_text(json.dumps(data))
    proc = wr("import", str(file), ok=engine == "sqlite")
    if engine == "sqlite":
        assert raw_sql(cli_db, "SELECT text FROM entries WHERE text LIKE 'nul%'") == [("nul \x00 here",)]
        return
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "NUL" in proc.stderr
    assert (count(cli_db), count(cli_db, "entries"), count(cli_db, "meta")) == (0, 0, 0)
    assert_quiet_about_the_password(proc)

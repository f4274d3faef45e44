"""The SQLite schema and its forward migrations (``PRAGMA user_version`` is the schema version).

Migrations are append-only: never edit a released one, add the next — and the same-numbered one
in ``pg_schema`` (PostgreSQL), which must leave the same tables and columns.
"""

from __future__ import annotations

import sqlite3

KIND_CHECK = "kind IN ('note','action','decision','status','escalation','comms','system')"

MIGRATIONS: tuple[str, ...] = (
    # 1: incidents, entries with revisions, and a change log that other processes poll cheaply.
    f"""
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE incidents (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        title       TEXT NOT NULL,
        severity    TEXT NOT NULL,
        status      TEXT NOT NULL,
        policy      TEXT NOT NULL,              -- JSON snapshot of the severity policy
        milestones  TEXT NOT NULL DEFAULT '{{}}', -- JSON {{name: ISO 8601 UTC}}
        roles       TEXT NOT NULL DEFAULT '{{}}',
        services    TEXT NOT NULL DEFAULT '[]',
        impact      TEXT NOT NULL DEFAULT '',
        summary     TEXT NOT NULL DEFAULT '',
        drill       INTEGER NOT NULL DEFAULT 0,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE entries (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id      INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
        at               TEXT NOT NULL,
        logged_at        TEXT NOT NULL,
        author           TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK ({KIND_CHECK}),
        text             TEXT NOT NULL,
        starred          INTEGER NOT NULL DEFAULT 0,
        revision         INTEGER NOT NULL DEFAULT 1,
        redacted_at      TEXT,
        redacted_by      TEXT NOT NULL DEFAULT '',
        redaction_reason TEXT NOT NULL DEFAULT '',
        owner            TEXT NOT NULL DEFAULT '',
        due              TEXT,
        key              TEXT,
        UNIQUE (incident_id, key)
    );
    CREATE INDEX entries_by_incident ON entries (incident_id, at);
    CREATE TABLE revisions (
        entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE RESTRICT,
        revision     INTEGER NOT NULL,
        at           TEXT NOT NULL,
        kind         TEXT NOT NULL,
        text         TEXT NOT NULL,
        author       TEXT NOT NULL,
        replaced_at  TEXT NOT NULL,
        replaced_by  TEXT NOT NULL,
        PRIMARY KEY (entry_id, revision)
    );
    CREATE TABLE changes (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id  INTEGER NOT NULL,
        entry_id     INTEGER
    );
    CREATE INDEX changes_by_incident ON changes (incident_id, seq);
    CREATE TRIGGER entries_inserted AFTER INSERT ON entries BEGIN
        INSERT INTO changes (incident_id, entry_id) VALUES (NEW.incident_id, NEW.id);
    END;
    CREATE TRIGGER entries_updated AFTER UPDATE ON entries BEGIN
        INSERT INTO changes (incident_id, entry_id) VALUES (NEW.incident_id, NEW.id);
    END;
    CREATE TRIGGER incidents_inserted AFTER INSERT ON incidents BEGIN
        INSERT INTO changes (incident_id, entry_id) VALUES (NEW.id, NULL);
    END;
    CREATE TRIGGER incidents_updated AFTER UPDATE ON incidents BEGIN
        INSERT INTO changes (incident_id, entry_id) VALUES (NEW.id, NULL);
    END;
    """,
    # 2: drills — the scenario each drill incident ran, kept whole so its report can be made again later.
    """
    CREATE TABLE drills (
        incident_id  INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE RESTRICT,
        scenario     TEXT NOT NULL,
        source       TEXT NOT NULL,
        speed        REAL NOT NULL,
        started_at   TEXT NOT NULL
    );
    """,
    # 3: readings — what the panes showed, as changes only (warroom.domain.recording); at is Unix seconds.
    """
    CREATE TABLE readings (
        incident_id  INTEGER NOT NULL REFERENCES incidents(id) ON DELETE RESTRICT,
        at           REAL NOT NULL,
        stream       TEXT NOT NULL,
        key          TEXT NOT NULL,
        value        TEXT
    );
    CREATE INDEX readings_by_incident ON readings (incident_id, at);
    """,
    # 4: a client-made id per entry (unique), so that a write retried after a lost acknowledgement
    # finds the entry its first attempt wrote instead of writing it twice.
    """
    ALTER TABLE entries ADD COLUMN client_id TEXT;
    CREATE UNIQUE INDEX entries_by_client_id ON entries (client_id) WHERE client_id IS NOT NULL;
    """,
    # 5: nothing here. PostgreSQL's change trigger also announces each change (``NOTIFY``); SQLite
    # has no such signal (``PRAGMA data_version`` is polled), and the tables stay the same.
    "",
    # 6: an action item marked done: when, and by whom (NULL: open). Set and cleared by
    # ``SqlStore.set_action_done``; copied and exported with the entry.
    """
    ALTER TABLE entries ADD COLUMN done_at TEXT;
    ALTER TABLE entries ADD COLUMN done_by TEXT NOT NULL DEFAULT '';
    """,
    # 7: the headless watcher (``warroom watch``): its heartbeat (who feeds which incidents, when it
    # last said so), and the rolling window of readings it keeps while no incident is open, copied
    # into an incident when one is declared (its replay shows the minutes before).
    """
    CREATE TABLE watchers (
        id          TEXT PRIMARY KEY,
        host        TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        beat_at     TEXT NOT NULL,
        period      REAL NOT NULL,
        incidents   TEXT NOT NULL DEFAULT '[]',
        all_open    INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE window_readings (
        at      REAL NOT NULL,
        stream  TEXT NOT NULL,
        key     TEXT NOT NULL,
        value   TEXT
    );
    CREATE INDEX window_readings_by_at ON window_readings (at);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def statements(sql: str) -> list[str]:
    """Split a migration into statements (triggers contain ``;`` inside BEGIN … END)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out

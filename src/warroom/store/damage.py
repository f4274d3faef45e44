"""A damaged file: finding the damage before a read meets it, and reading what is left.

Both run on a connection of their own in a worker thread (``asyncio.to_thread``), so the
store's connection goes on reading meanwhile (``quick_check`` takes ~0.5 s on a 90 MB file).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from warroom.domain.timeline import Entry
from warroom.store.errors import Damaged, damaged
from warroom.store.rows import ENTRY_COLUMNS, to_entry


def quick_check(path: Path) -> list[str]:
    """``PRAGMA quick_check``'s findings, empty for a sound file."""
    con = sqlite3.connect(path)
    try:
        problems = [r[0] for r in con.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        con.close()
    return [] if problems == ["ok"] else problems


def salvage(path: Path, incident_id: int) -> tuple[list[Entry], int]:
    """The incident's readable entries, looked up one id at a time (a scan stops at the first bad
    page; a lookup by id goes around it), and how many ids could not be read."""
    con = sqlite3.connect(path)
    try:
        try:
            top = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
            top = top[0] if top else con.execute("SELECT max(id) FROM entries").fetchone()[0] or 0
        except sqlite3.DatabaseError as exc:
            raise Damaged(damaged(path, [f"the entries cannot even be counted: {exc}"])) from None
        found, lost = [], 0
        for entry_id in range(1, top + 1):
            try:
                row = con.execute(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
                if row is not None and row[1] == incident_id:
                    found.append(to_entry(row))
            except (sqlite3.DatabaseError, ValueError):  # a bad page, or a row whose text is garbage
                lost += 1
        return sorted(found, key=lambda e: (e.at, e.logged_at, e.id)), lost
    finally:
        con.close()

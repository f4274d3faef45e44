"""What goes wrong with a database file, and the one line that says so.

Every SQLite error that reaches a person becomes a ``StoreError`` whose message names the
file, what is wrong with it and what to do (``explain``); a traceback is never the answer.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator


class StoreError(RuntimeError):
    """The database cannot be used; the message says which file and why."""


class NotFound(LookupError):
    pass


class Damaged(StoreError):
    """The file fails ``PRAGMA quick_check``: some pages cannot be read."""


def explain(path: Path, exc: sqlite3.Error) -> str:
    """One line that says which file, what is wrong with it, and what to do."""
    message = str(exc)
    if "malformed" in message:
        return damaged(path, [message])
    if "not a database" in message:
        return f"database {path} is corrupt or not a warroom database ({message}); move it aside or use --db"
    if "full" in message:
        return f"database {path}: the disk is full ({message}); free some space"
    if "disk I/O error" in message:
        return f"database {path}: disk I/O error — is the disk full or failing? ({message})"
    if "locked" in message or "busy" in message:
        return f"database {path} is locked by another process ({message}); try again"
    if "readonly" in message or "read-only" in message:
        return f"database {path} is read-only ({message}); check its permissions"
    return f"database {path}: {message}"


def damaged(path: Path, problems: list[str]) -> str:
    """What ``PRAGMA quick_check`` found, in one line, with the ways to get back what can be read."""
    found = [line.strip() for p in problems for line in p.splitlines()
             if line.strip() and not line.startswith("*** in database")]
    first = "; ".join(found[:2]) or "unknown damage"
    more = f" (+{len(found) - 2} more)" if len(found) > 2 else ""
    return (f"database {path} is damaged: {first}{more}. Recover what can be read: "
            f"`warroom --db {path} export --salvage -i ID -o FILE` writes the readable entries; "
            f"`sqlite3 {path} .recover | sqlite3 recovered.db` rebuilds a copy (then use --db recovered.db); "
            f"keep the damaged file")


def missing_row(exc: BaseException) -> bool:
    """A write that names a row that is not there (an incident deleted, a stale or mistyped id)."""
    return isinstance(exc, sqlite3.IntegrityError) and "FOREIGN KEY" in str(exc)


@contextmanager
def entry_errors(path: Path, incident_id: int) -> Iterator[None]:
    """A write for an incident that does not exist is NotFound; a locked or broken file, or any
    other constraint, a StoreError. Shared by the store's connection and the journal's, so both fail alike."""
    try:
        yield
    except sqlite3.DatabaseError as exc:  # locked, disk full, a damaged page, a constraint
        if missing_row(exc):
            raise NotFound(f"no incident #{incident_id}") from None
        raise StoreError(explain(path, exc)) from None

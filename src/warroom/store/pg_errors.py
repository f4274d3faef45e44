"""What goes wrong with a PostgreSQL database, and the one line that says so.

A driver error becomes a ``StoreError`` naming the database (its URL without the password), what
is wrong and what to do; the message is scrubbed of the password whatever the driver quoted.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import errors as pg

from warroom.store.errors import NotFound, StoreError
from warroom.store.location import scrub, shown

#: (words in libpq's message, what to do) — the first that matches is said.
_CONNECT_HINTS = (
    ("password authentication failed", "check the password (PGPASSWORD, ~/.pgpass or PGPASSFILE)"),
    ("no password supplied", "give the password in PGPASSWORD, ~/.pgpass or PGPASSFILE"),
    ("does not exist", "check the URL, or create it (createdb/createuser)"),
    ("timeout expired", "is the host reachable? (connect_timeout)"),
    ("could not translate host name", "check the host name"),
    ("SSL", "check sslmode, sslrootcert and the server's certificate"),
    ("certificate", "check sslmode, sslrootcert and the server's certificate"),
    ("pg_hba.conf", "the server does not let this role connect from here (pg_hba.conf)"),
)


def reason(exc: BaseException, location: str) -> str:
    """The driver's message on one line, without the password."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(text, location).removeprefix("connection failed: ")


def cannot_connect(location: str, exc: BaseException) -> str:
    why = reason(exc, location)
    hint = next((h for words, h in _CONNECT_HINTS if words in why), "")
    return f"cannot connect to database {shown(location)}: {why}" + (f"; {hint}" if hint else "")


def explain(location: str, exc: BaseException) -> str:
    """One line for an error met on an open connection."""
    why = reason(exc, location)
    where = f"database {shown(location)}"
    if isinstance(exc, pg.InsufficientPrivilege):
        return (f"{where}: permission denied ({why}); the role needs SELECT, INSERT, UPDATE, DELETE on "
                f"warroom's tables (and CREATE on the schema for an upgrade): see README")
    if isinstance(exc, pg.DiskFull):
        return f"{where}: the server's disk is full ({why})"
    if isinstance(exc, (pg.LockNotAvailable, pg.QueryCanceled)):
        return f"{where} is busy ({why}); try again"
    if isinstance(exc, psycopg.OperationalError):
        return f"{where} is unreachable ({why}); retrying when it is back"
    return f"{where}: {why}"


@contextmanager
def entry_errors(location: str, incident_id: int) -> Iterator[None]:
    """An entry for an incident that does not exist is NotFound; anything else the server says a
    StoreError. PostgreSQL's twin of ``errors.entry_errors`` (the store's and the journal's)."""
    try:
        yield
    except pg.ForeignKeyViolation:
        raise NotFound(f"no incident #{incident_id}") from None
    except psycopg.Error as exc:
        raise StoreError(explain(location, exc)) from None

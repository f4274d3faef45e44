"""``warroom doctor`` for a PostgreSQL database: connects (as warroom would: libpq's environment,
the URL's sslmode), then says the server version, whether TLS is in use, the schema version, the
privileges warroom's role lacks and whether it may ``LISTEN`` (the live feed between hosts).
Synchronous and short-lived; every message is without the password."""

from __future__ import annotations

from typing import Literal

import psycopg

from warroom.store.location import scrub, shown
from warroom.store.pg_errors import cannot_connect, explain
from warroom.store.pg_schema import SCHEMA_VERSION
from warroom.store.postgres import connect_options

Status = Literal["OK", "WARN", "FAIL"]

#: What warroom does to each table (the least privilege its role needs, as the README grants it).
NEEDED = {
    "meta": "SELECT,INSERT,UPDATE",
    "incidents": "SELECT,INSERT,UPDATE",
    "entries": "SELECT,INSERT,UPDATE",
    "revisions": "SELECT,INSERT",
    "changes": "SELECT,INSERT",
    "drills": "SELECT,INSERT",
    "readings": "SELECT,INSERT,DELETE",
    "warroom_schema": "SELECT",
}
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def check(url: str) -> tuple[Status, str]:
    where = shown(url)
    try:
        con = psycopg.connect(url, autocommit=True, **connect_options(url))
    except psycopg.Error as exc:
        return "FAIL", cannot_connect(url, exc)
    try:
        with con:
            return _inspect(con, where)
    except psycopg.Error as exc:
        return "FAIL", explain(url, exc)
    except Exception as exc:  # noqa: BLE001 — doctor reports, never crashes
        return "FAIL", scrub(f"{where}: {exc}", url)


def _inspect(con: psycopg.Connection, where: str) -> tuple[Status, str]:
    server = con.info.parameter_status("server_version") or "?"
    tls = "TLS" if con.pgconn.ssl_in_use else "no TLS"
    remote = not (con.info.host.startswith("/") or con.info.host in LOCAL_HOSTS)
    described = f"{where}: PostgreSQL {server.split()[0]}, {tls}, role {con.info.user}"
    listen = _can_listen(con)
    if con.execute("SELECT to_regclass('warroom_schema')").fetchone()[0] is None:
        if not con.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')").fetchone()[0]:
            return "FAIL", (f"{described}: no warroom tables yet, and this role may not create them "
                            f"(GRANT CREATE ON SCHEMA to it, or let the database's owner run warroom once)")
        return "WARN", f"{described}: empty, not a warroom database yet (set up on first use)"
    version = con.execute("SELECT version FROM warroom_schema").fetchone()[0]
    if version > SCHEMA_VERSION:
        return "FAIL", (f"{described}: schema version {version} is newer than this warroom understands "
                        f"({SCHEMA_VERSION}); upgrade warroom")
    missing = [f"{p} on {t}" for t, privileges in NEEDED.items() for p in privileges.split(",")
               if con.execute("SELECT to_regclass(%s) IS NOT NULL AND NOT has_table_privilege(%s, %s)",
                              (t, t, p)).fetchone()[0]]
    if missing:
        return "FAIL", f"{described}: the role lacks " + ", ".join(missing)
    described += f", schema version {version}" + ("" if listen else ", LISTEN refused")
    if version < SCHEMA_VERSION:
        return "WARN", f"{described}; will be upgraded to version {SCHEMA_VERSION} on next use"
    if remote and tls == "no TLS":
        return "WARN", f"{described}: the connection is not encrypted: add ?sslmode=verify-full to the URL"
    if not listen:
        return "WARN", f"{described}: other hosts' changes will be polled"
    return "OK", described


def _can_listen(con: psycopg.Connection) -> bool:
    try:
        con.execute("LISTEN warroom_doctor")
        con.execute("UNLISTEN warroom_doctor")
        return True
    except psycopg.Error:
        return False

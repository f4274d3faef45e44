"""What only the PostgreSQL engine has: the URL (its password never shown), a server that cannot be
reached or refuses, the schema kept like SQLite's, a connection the server drops."""

from __future__ import annotations

import sqlite3

import pytest

from warroom.domain.presets import SEV
from warroom.store import PgStore, Store, StoreError, open_store
from warroom.store import pg_schema, schema
from warroom.store.location import db_location, shown

from fixtures.pg_fixture import PASSWORD
from fixtures.support import T0, raw_sql


@pytest.mark.parametrize(("url", "expected"), [
    ("postgresql://alice:s3cret@db.example:5432/warroom?sslmode=verify-full",
     "postgresql://alice:***@db.example:5432/warroom?sslmode=verify-full"),
    ("postgres://alice@db/warroom", "postgres://alice@db/warroom"),
    ("postgresql://alice:p%40ss@h/d?password=zz&sslpassword=yy&x=1",
     "postgresql://alice:***@h/d?password=***&sslpassword=***&x=1"),
    ("postgresql://u:pa/ss@host/db", "postgresql://u:***@host/db"),  # a raw / in the password
    ("postgresql://u:p@ss@host/db?sslmode=require", "postgresql://u:***@host/db?sslmode=require"),
])
def test_a_url_is_shown_without_its_password(url, expected):
    assert db_location(url) == url and shown(url) == expected


def test_a_path_stays_a_path():
    assert db_location("~/x/warroom.db") == db_location(db_location("~/x/warroom.db"))
    assert str(db_location("postgresql-notes.db")) == "postgresql-notes.db"


def test_both_engines_have_the_same_schema_versions():
    assert pg_schema.SCHEMA_VERSION == schema.SCHEMA_VERSION


async def test_both_engines_have_the_same_tables_and_columns(pg_url, db_path):
    async with open_store(pg_url), open_store(db_path):
        pass
    con = sqlite3.connect(db_path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    lite = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in tables}
    con.close()
    pg = {}
    for table, column in raw_sql(pg_url, "SELECT table_name, column_name FROM information_schema.columns"
                                         " WHERE table_schema = 'public'"):
        pg.setdefault(table, set()).add(column)
    assert pg.pop("warroom_schema") == {"one", "version"}  # SQLite keeps it in PRAGMA user_version
    for table in ("readings", "window_readings"):
        assert pg[table] - lite[table] == {"seq"}  # SQLite's rowid
        pg[table].discard("seq")
    assert pg == lite


async def test_newer_schema_is_refused(pg_url):
    async with open_store(pg_url):
        pass
    raw_sql(pg_url, "UPDATE warroom_schema SET version = ?", (pg_schema.SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer than this warroom") as caught:
        await PgStore.connect(pg_url)
    assert PASSWORD not in str(caught.value)


async def test_two_stores_opening_an_empty_database_at_once_set_it_up_once(pg_url):
    import asyncio

    stores = await asyncio.gather(*(PgStore.connect(pg_url) for _ in range(3)))
    try:
        assert [await s.schema_version() for s in stores] == [pg_schema.SCHEMA_VERSION] * 3
    finally:
        for s in stores:
            await s.close()


@pytest.mark.parametrize("case", ["password", "database", "port", "role"])
async def test_a_database_that_cannot_be_used_is_one_line_without_the_password(pg_server, case):
    url = {"password": pg_server.url("postgres", password="wrong-" + PASSWORD),
           "database": pg_server.url("no_such_db"),
           "port": f"postgresql://warroom:{PASSWORD}@127.0.0.1:1/x",
           "role": pg_server.url("postgres", user="nobody")}[case]
    with pytest.raises(StoreError) as caught:
        async with open_store(url):
            pass
    message = str(caught.value)
    assert "\n" not in message and PASSWORD not in message and "cannot connect to database" in message
    assert {"password": "password authentication failed", "database": "does not exist",
            "port": "Connection refused", "role": "password authentication failed"}[case] in message


async def test_the_password_may_come_from_pgpassword(pg_server, monkeypatch):
    url = pg_server.new_database().replace(f":{PASSWORD}@", "@")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    async with open_store(url) as store:
        assert (await store.declare("x", SEV, "SEV-2", now=T0, author="ic")).id == 1
        assert store.path == url


async def test_a_dropped_connection_is_one_error_then_the_store_goes_on(pg_url, pg_server):
    async with open_store(pg_url) as store:
        i = await store.declare("x", SEV, "SEV-2", now=T0, author="ic")
        store.open_journal()
        await store.append_soon(i.id, "before", author="s", now=T0)
        pg_server.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'warroom'")
        with pytest.raises(StoreError, match="unreachable") as caught:
            await store.append(i.id, "lost with the connection", author="s", now=T0)
        assert "\n" not in str(caught.value) and PASSWORD not in str(caught.value)
        assert await store.append(i.id, "after", author="s", now=T0)
        with pytest.raises(StoreError):  # the journal's connection was dropped too
            await store.append_soon(i.id, "lost too", author="s", now=T0)
        await store.append_soon(i.id, "after, by the journal", author="s", now=T0)
        texts = [e.text for e in await store.entries(i.id)]
    assert texts[1:] == ["before", "after", "after, by the journal"]


async def test_an_export_is_the_same_from_either_engine(pg_url, db_path):
    """The stored representation is the same: the JSON export of the same history is identical."""
    import json
    from datetime import timedelta

    from warroom.domain import incident as inc
    from warroom.domain.recording import Record
    from warroom.domain.report import to_json_data

    async def history(store):
        i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic", detected_at=T0 - timedelta(minutes=3))
        e = await store.append(i.id, "pool at 100%", author="s", now=T0 + timedelta(minutes=1), kind="action",
                               owner="al", due=T0 + timedelta(minutes=30))
        await store.edit(e.id, by="s", now=T0 + timedelta(minutes=2), text="pool at 100% on db-1")
        secret = await store.append(i.id, "token=abc", author="s", now=T0 + timedelta(minutes=3))
        await store.redact(secret.id, reason="secret", by="ic", now=T0 + timedelta(minutes=4))
        await store.change(i.id, lambda x: inc.acknowledge(x, T0 + timedelta(minutes=5), "al"), author="al",
                           at=T0 + timedelta(minutes=5), now=T0 + timedelta(minutes=5))
        await store.record(i.id, [Record(T0, "panel", "errors", {"v": 0.5})])
        i = await store.incident(i.id)
        return json.dumps(to_json_data(i, await store.entries(i.id, with_history=True), T0 + timedelta(hours=1)),
                          sort_keys=True), await store.readings(i.id)

    async with open_store(pg_url) as pg, Store.open(db_path) as lite:
        assert await history(pg) == await history(lite)

"""The store's tests run on both engines: ``store`` and ``db`` (its location) are parametrised over
SQLite (a file) and PostgreSQL (a fresh database on the session's real server). Tests of what only
one engine has (a file's mode, SQLite's lock, its damaged pages) ask for ``sqlite_store``/``db_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

ENGINES = ["sqlite", "postgres"]


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def db(engine: str, request) -> Path | str:
    """Where this test's database is: a file path, or a ``postgresql://`` URL."""
    if engine == "sqlite":
        return request.getfixturevalue("db_path")
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def store(db):
    from warroom.store import open_store

    async with open_store(db) as s:
        yield s


@pytest.fixture
async def sqlite_store(db_path: Path):
    from warroom.store import Store

    async with Store.open(db_path) as s:
        yield s


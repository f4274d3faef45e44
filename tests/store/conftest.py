"""The store's tests run on every engine: ``store`` and ``db`` (its location) are parametrised over
SQLite (a file), PostgreSQL (a fresh database on the session's real server) and the one-shot SQLite
engine the CLI runs on (``store.oneshot``: the same file, the stdlib connection, no event loop —
each of its coroutines is run by ``run_sync``, so one that ever waits fails the test). Tests of what
only a file has (its mode, SQLite's lock, its damaged pages) ask for ``sqlite_store``/``db_path``;
``sqlite_store`` is the TUI's engine and the one-shot one in turn."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

import pytest

ENGINES = ["sqlite", "postgres", "oneshot"]


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def db(engine: str, request) -> Path | str:
    """Where this test's database is: a file path, or a ``postgresql://`` URL."""
    if engine == "postgres":
        return request.getfixturevalue("pg_url")
    return request.getfixturevalue("db_path")


class RunSync:
    """The one-shot store as the CLI drives it: every coroutine a method returns is run to its end
    by ``run_sync`` when awaited (``Suspended`` if it waits for anything); the rest passes through."""

    def __init__(self, store) -> None:
        self._store = store

    def __getattr__(self, name: str):
        value = getattr(self._store, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def call(*args, **kwargs):
            result = value(*args, **kwargs)
            return _run_sync_when_awaited(result) if inspect.iscoroutine(result) else result

        return call


async def _run_sync_when_awaited(coro):
    from warroom.store.oneshot import run_sync

    return run_sync(coro)


async def _one_shot(path: Path):
    from warroom.store.oneshot import OneShotStore, run_sync

    store = run_sync(OneShotStore.connect(path))
    try:
        yield RunSync(store)
    finally:
        run_sync(store.close())


@pytest.fixture
async def store(engine: str, db):
    if engine == "oneshot":
        async for s in _one_shot(db):
            yield s
        return
    from warroom.store import open_store

    async with open_store(db) as s:
        yield s


@pytest.fixture(params=["sqlite", "oneshot"])
async def sqlite_store(request, db_path: Path):
    if request.param == "oneshot":
        async for s in _one_shot(db_path):
            yield s
        return
    from warroom.store import Store

    async with Store.open(db_path) as s:
        yield s

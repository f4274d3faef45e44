"""The CLI end-to-end tests of a module marked ``@pytest.mark.engines("sqlite", "postgres")`` run
once per engine: ``WARROOM_DB`` is then the test's SQLite file or a fresh PostgreSQL database's URL
(password included, as a user may write it). A test of what only SQLite has is marked
``@pytest.mark.engines("sqlite")``; unmarked modules run on SQLite alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_generate_tests(metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("engines")
    if marker is not None and "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", marker.args, indirect=True)


@pytest.fixture
def engine(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def cli_db(engine: str, request) -> Path | str:
    return request.getfixturevalue("db_path" if engine == "sqlite" else "pg_url")


@pytest.fixture
def cli_env(cli_db, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"WARROOM_DB": str(cli_db), "WARROOM_AUTHOR": "tester", "TZ": "UTC",
                "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")})
    return env

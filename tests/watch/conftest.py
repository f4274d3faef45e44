"""The watcher's tests: a real ``warroom watch`` process against the real Prometheus fixture and the
Kubernetes emulator, on SQLite and PostgreSQL (``engine``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixtures.kube_fixture import DEFAULT_TOKEN, EmulatorThread, KubeEmulator, scenario, write_kubeconfig


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request) -> str:
    return request.param


@pytest.fixture
def db(engine: str, request):
    return request.getfixturevalue("db_path" if engine == "sqlite" else "pg_url")


@pytest.fixture
def cluster(tmp_path: Path):
    """(the emulator, its thread, a kubeconfig with the context ``good``)."""
    emulator = KubeEmulator()
    emulator.add_all(scenario())
    with EmulatorThread(emulator) as thread:
        yield emulator, thread, write_kubeconfig(tmp_path / "kubeconfig", {"good": (emulator.url, DEFAULT_TOKEN)})
    assert {r.method for r in emulator.requests} <= {"GET"}


@pytest.fixture
def watch_env(db, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"WARROOM_DB": str(db), "WARROOM_AUTHOR": "tester", "TZ": "UTC",
                "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")})
    return env

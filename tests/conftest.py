"""Shared fixtures: a fresh database per test, fixed instants, the installed console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch) -> None:
    """No input cursor blinks in tests: snapshots and screen reads see the same frame every time."""
    monkeypatch.setenv("WARROOM_CURSOR_BLINK", "0")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warroom.db"


@pytest.fixture
async def store(db_path: Path):
    from warroom.store import Store

    async with Store.open(db_path) as s:
        yield s


@pytest.fixture
def warroom_exe() -> str:
    """The installed ``warroom`` console script (tests exercise it as users do)."""
    exe = Path(sys.executable).with_name("warroom")
    if not exe.exists():
        pytest.fail(f"the warroom console script is not installed next to {sys.executable}")
    return str(exe)


@pytest.fixture
def cli_env(db_path: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"WARROOM_DB": str(db_path), "WARROOM_AUTHOR": "tester", "TZ": "UTC",
                "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")})
    return env

@pytest.fixture
def wr(warroom_exe, cli_env):
    """``warroom ARGS…`` through the installed script; ``ok`` (the default) asserts it succeeded."""
    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run([warroom_exe, *args], env=cli_env, capture_output=True, text=True, timeout=60)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc
    return run

# The real-Prometheus fixtures (prometheus, prometheus_scenario, spare_prometheus) and the real
# PostgreSQL (postgres_server, pg_server, pg_url), Prometheus + Alertmanager for the receiver (alert_stack).
pytest_plugins = ["fixtures.prom_fixture", "fixtures.pg_fixture", "fixtures.alertmanager_fixture"]

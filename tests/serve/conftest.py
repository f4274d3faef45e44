"""``warroom serve`` as users run it: the installed script, a real port on 127.0.0.1, its links
read from what it prints. Modules marked ``@pytest.mark.engines("sqlite", "postgres")`` run once
per engine (as tests/cli/conftest.py)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
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


@dataclass
class Served:
    proc: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    token: str
    write_token: str | None
    printed: str

    def stop(self) -> str:
        """Stop it (SIGTERM, as a service manager would); its stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


@pytest.fixture
def serve(warroom_exe, cli_env):
    """``serve(*args)``: start ``warroom serve --port 0 ARGS`` and wait for its links."""
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Served:
        proc = subprocess.Popen([warroom_exe, "serve", "--port", "0", *args], env=env or cli_env, cwd=cwd,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("ctrl+c"):
                break
        printed = "".join(lines)
        found = re.search(r"status page: (http://[^/\s]+)/status\?token=(\S+)", printed)
        if found is None:
            proc.kill()
            pytest.fail(f"warroom serve did not start: {printed}{proc.stderr.read()}")
        write = re.search(r"scribe .*\?token=(\S+)", printed)
        served = Served(proc, found.group(1), found.group(2), write.group(1) if write else None, printed)
        started.append(served)
        return served

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for a module's tests (each test gets its own context: no shared cookies)."""
    from fixtures.browser import ARGS, CHROMIUM, need_chromium

    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    # bypass_csp: Playwright's waits evaluate strings; and the escaping is then tested without the CSP's help
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()

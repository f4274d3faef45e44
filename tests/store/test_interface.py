"""The store's typed interface (``IncidentStore``): both engines (SQLite ``Store``, PostgreSQL ``PgStore``) provide every member with
the same signature, and the CLI's commands and the review draft ask for nothing beyond it — so a
second engine that implements the interface is enough for them."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from warroom.cli.registry import BY_NAME, build_parser
from warroom.domain.presets import SEV
from warroom.drill.library import load
from warroom.review import extra_sections
from warroom.store import DrillScenario, IncidentStore, PgStore, Store
from warroom.store.location import shown
from warroom.store.oneshot import OneShotStore

from fixtures.support import T0

METHODS = sorted(n for n, v in vars(IncidentStore).items() if not n.startswith("_") and callable(v))
MEMBERS = frozenset(METHODS) | frozenset(IncidentStore.__annotations__)


class OnlyTheInterface:
    """A real ``Store`` seen through the interface: reaching for anything else fails the test."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str):
        if name not in MEMBERS:
            raise AssertionError(f"Store.{name} is used but is not in IncidentStore")
        return getattr(self._store, name)


def test_the_interface_lists_what_the_callers_use():
    assert {"declare", "append", "append_soon", "settle_lines", "entries", "change", "readings",
            "damage", "salvage_entries", "check_sound", "close", "path"} <= MEMBERS
    assert "limit_pages" not in MEMBERS and "set_busy_timeout" not in MEMBERS  # SQLite's test hooks


@pytest.mark.parametrize("engine", [Store, PgStore, OneShotStore])
@pytest.mark.parametrize("name", METHODS)
def test_store_has_each_method_with_the_interface_signature(name, engine):
    ours, theirs = getattr(engine, name), getattr(IncidentStore, name)
    assert inspect.signature(ours) == inspect.signature(theirs)
    assert inspect.iscoroutinefunction(ours) == inspect.iscoroutinefunction(theirs)


async def test_store_has_the_path_without_a_password(store, db):
    assert str(OnlyTheInterface(store).path) == shown(db)
    assert isinstance(store.path, type(db)) and "Pw-" not in str(store.path)


@pytest.mark.parametrize("argv", [
    ["declare", "Checkout down", "-s", "SEV-2", "--service", "checkout", "--detected-at", "2026-11-23T09:55Z"],
    ["list", "--all"],
    ["log", "--kind", "action", "rolled", "back"],
    ["ack"],
    ["status", "identified"],
    ["severity", "SEV-1"],
    ["assign", "scribe", "ana"],
    ["export", "--format", "json"],
    ["export"],
    ["export", "--salvage"],
    ["prune", "--older-than", "30d"],
])
async def test_each_command_asks_only_for_the_interface(store, argv, monkeypatch, capsys):
    monkeypatch.setenv("WARROOM_AUTHOR", "tester")
    await store.declare("Earlier", SEV, "SEV-3", now=T0 - timedelta(minutes=5), author="s")
    args = build_parser().parse_args(argv)
    assert await BY_NAME[args.command].handler(OnlyTheInterface(store), args, T0) == 0
    assert capsys.readouterr().out


async def test_the_review_sections_ask_only_for_the_interface(store):
    scenario, source = load("bad-deploy")
    drill = await store.declare(scenario.title, SEV, "SEV-2", now=T0, author="drill",
                                scenario=DrillScenario("bad-deploy", source))
    entries = await store.entries(drill.id)
    sections = await extra_sections(OnlyTheInterface(store), drill, entries, T0 + timedelta(minutes=1))
    assert any(s.startswith("## Drill report") for s in sections)

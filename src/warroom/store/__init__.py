"""Persistence: incidents, timelines and readings in one SQLite file or one PostgreSQL database
(the only package that touches them). Import from here: ``from warroom.store import open_store,
StoreError, NotFound``; ``open_store``/``connect_store`` choose the engine from the location.

The names load on first use (PEP 562): ``warroom.store.schema`` or ``errors`` alone, as the
doctor needs, do not pay for aiosqlite and asyncio.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from warroom.store.errors import Damaged, NotFound, StoreError, damaged, explain
    from warroom.store.interface import Change, DrillScenario, IncidentStore
    from warroom.store.journal import LineGate, NotAttempted
    from warroom.store.location import db_location, shown
    from warroom.store.opening import connect_store, open_store
    from warroom.store.postgres import PgStore
    from warroom.store.sqlite import Store

_HOME = {
    "Store": "sqlite", "PgStore": "postgres", "connect_store": "opening", "open_store": "opening",
    "db_location": "location", "shown": "location",
    "IncidentStore": "interface", "Change": "interface", "DrillScenario": "interface",
    "StoreError": "errors", "NotFound": "errors", "Damaged": "errors", "explain": "errors", "damaged": "errors",
    "LineGate": "journal", "NotAttempted": "journal",
}

__all__ = [
    "Change", "Damaged", "DrillScenario", "IncidentStore", "LineGate", "NotAttempted", "NotFound", "PgStore",
    "Store", "StoreError", "connect_store", "damaged", "db_location", "explain", "open_store", "shown",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value

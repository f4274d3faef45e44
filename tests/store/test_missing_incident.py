"""Writing to an incident that does not exist (deleted meanwhile, a stale id, a mistyped ``-i``):
every engine refuses it as ``NotFound`` — one line, never the driver's integrity error (a
traceback in the CLI, a crashed worker in the TUI) — and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain.recording import Record
from warroom.domain.presets import SEV
from warroom.store import NotFound

from fixtures.support import T0

MISSING = 4242


@pytest.mark.parametrize("write", [
    "append", "append_client_id", "append_many", "append_keyed", "append_soon", "record",
])
async def test_a_write_to_a_missing_incident_is_not_found(store, write) -> None:
    real = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic")
    before = len(await store.entries(real.id))
    calls = {
        "append": lambda: store.append(MISSING, "hi", author="a", now=T0),
        "append_client_id": lambda: store.append(MISSING, "hi", author="a", now=T0, client_id="c-1"),
        "append_many": lambda: store.append_many(MISSING, [(T0, "note", "a", "hi")], now=T0),
        "append_keyed": lambda: store.append_keyed(MISSING, [("k", "hi", T0, "note")], author="a", now=T0),
        "append_soon": lambda: store.append_soon(MISSING, "hi", author="a", now=T0),
        "record": lambda: store.record(MISSING, [Record(T0 + timedelta(seconds=1), "metrics", "p", {"v": 1})]),
    }
    with pytest.raises(NotFound) as refused:
        await calls[write]()
    assert str(refused.value) == f"no incident #{MISSING}"
    assert len(await store.entries(real.id)) == before
    assert await store.readings(MISSING) == []

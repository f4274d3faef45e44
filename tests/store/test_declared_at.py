"""An incident written up afterwards is declared at its real time: the milestone, the
"Incident declared" entry and the targets all count from then, not from the typing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain.incident import IncidentError
from warroom.domain.presets import SEV
from warroom.domain.sla import evaluate

from fixtures.support import T0


async def test_declared_at_is_the_milestone_and_the_entry_time(store):
    declared = T0 - timedelta(hours=20)
    i = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic", declared_at=declared,
                            detected_at=declared - timedelta(minutes=6))
    assert i.milestones == {"declared": declared, "detected": declared - timedelta(minutes=6)}
    entries = await store.entries(i.id)
    declared_entry = next(e for e in entries if e.text.startswith("Incident declared"))
    assert declared_entry.at == declared and declared_entry.logged_at == T0
    report = evaluate(i, entries, T0)
    assert report.start == declared - timedelta(minutes=6)
    assert report.target("acknowledge").deadline == declared - timedelta(minutes=6) + timedelta(minutes=15)


async def test_declared_at_refuses_the_future_and_a_detection_after_it(store):
    with pytest.raises(IncidentError, match="declared at .* would be in the future"):
        await store.declare("x", SEV, "SEV-2", now=T0, author="ic", declared_at=T0 + timedelta(minutes=1))
    with pytest.raises(IncidentError, match="detected at .* would be after declared at 2026"):
        await store.declare("x", SEV, "SEV-2", now=T0, author="ic", declared_at=T0 - timedelta(hours=1),
                            detected_at=T0 - timedelta(minutes=30))
    assert await store.incidents() == []

"""The header at 80 columns keeps the incident's title in view, in a drill too (issue #18)."""

from __future__ import annotations

from warroom.domain.frozen import replace
from datetime import datetime, timedelta, timezone

from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.ui import render

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _incident(**kw) -> Incident:
    return Incident(id=1, title="Checkout crash-loops after the 2.4.1 deploy", severity="SEV-2",
                    status="investigating", policy=SEV, milestones={"declared": T0}, **kw)


def test_a_drill_header_at_80_columns_shows_the_title_not_the_wall_clock() -> None:
    line = render.header_line(replace(_incident(), drill=True), T0 + timedelta(minutes=12), UTC, compact=True,
                              drill="20× 08:02/45:00").plain
    assert "#1 Checkout crash-loops" in line[:80] and "10:12Z" not in line


def test_a_live_header_at_80_columns_keeps_both_clocks_and_the_title() -> None:
    line = render.header_line(_incident(), T0 + timedelta(minutes=12), UTC, compact=True).plain
    assert "10:12 10:12Z" in line[:80] and "#1 Checkout crash" in line[:80]

"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

from datetime import datetime, timezone

# A Monday morning: business hours are open, nothing crosses midnight.
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)

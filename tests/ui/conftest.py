from __future__ import annotations

from datetime import timezone

import pytest

from fixtures.support import T0, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def make_app(db_path, clock, tmp_path):
    """Build the app as ``warroom`` does, with an injected clock, UTC as local time, and no timers firing
    on their own (tests call ``_tick`` / ``_sync`` or move the clock explicitly)."""
    from warroom.ui.factory import make_app as build_app

    def make(**kw):
        kw.setdefault("clock", clock)
        kw.setdefault("local", timezone.utc)
        kw.setdefault("author", "scribe")
        kw.setdefault("export_dir", tmp_path)
        kw.setdefault("tick_interval", 3600)
        kw.setdefault("sync_interval", 3600)
        return build_app(db_path, **kw)

    return make

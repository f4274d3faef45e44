"""The local timezone, read from a real process's environment (each case its own interpreter: it is cached)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = ("from datetime import datetime; from warroom.localtime import local_timezone; "
         "z = local_timezone(); print(datetime(2026, 7, 1, 12).replace(tzinfo=z).utcoffset().total_seconds())")


def _offset_in_july(tz: str) -> float:
    env = {**os.environ, "TZ": tz}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning scribbled over the terminal
    return float(done.stdout)


def test_a_tz_name_is_a_dst_aware_zone() -> None:
    assert _offset_in_july("Europe/Berlin") == 2 * 3600  # CEST, not the winter's +1
    assert _offset_in_july(":America/New_York") == -4 * 3600


def test_a_tz_naming_a_zone_file_is_that_zone() -> None:
    path = Path("/usr/share/zoneinfo/Asia/Tokyo")
    if not path.exists():
        pytest.skip("no system zoneinfo")
    assert _offset_in_july(str(path)) == 9 * 3600


def test_an_unknown_tz_still_gives_a_zone_without_noise() -> None:
    _offset_in_july("Nowhere/Bogus")

"""The machine's local timezone as a real IANA zone (DST-aware), for reading typed times.

``tzlocal`` knows where each system keeps it (``TZ``, ``/etc/localtime``, ``/etc/timezone``,
Windows' registry). When it cannot tell — an unknown ``TZ``, conflicting files — the C
library's current offset is the best left (fixed: no DST); its warnings would only scribble
over the terminal.
"""

from __future__ import annotations

import warnings
from datetime import datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfoNotFoundError

import tzlocal


@lru_cache(maxsize=1)
def local_timezone() -> tzinfo:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tzlocal.get_localzone()
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return datetime.now().astimezone().tzinfo

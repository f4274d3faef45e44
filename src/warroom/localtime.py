"""The machine's local timezone as a real IANA zone (DST-aware), for reading typed times.

``tzlocal`` knows where each system keeps it (``TZ``, ``/etc/localtime``, ``/etc/timezone``,
Windows' registry). When it cannot tell — an unknown ``TZ``, conflicting files — the C
library's current offset is the best left (fixed: no DST); its warnings would only scribble
over the terminal.

Showing an instant needs none of that: ``on_local_clock`` asks the C library, which converts any
instant exactly (DST included) from the same ``TZ``/``/etc/localtime`` — and a one-shot command
that only echoes a time does not pay for importing tzlocal (and its ``logging``).
"""

from __future__ import annotations

import warnings
from datetime import datetime, tzinfo
from functools import lru_cache


@lru_cache(maxsize=1)
def local_timezone() -> tzinfo:
    from zoneinfo import ZoneInfoNotFoundError

    import tzlocal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tzlocal.get_localzone()
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return datetime.now().astimezone().tzinfo


def on_local_clock(at: datetime) -> datetime:
    """``at`` as this machine's clock shows it (to print it)."""
    return at.astimezone()

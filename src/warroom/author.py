"""Who is typing: the name entries are logged under, for the CLI and the TUI alike (a module of its
own so that the TUI does not import the CLI and its argument parser to learn it)."""

from __future__ import annotations

import getpass
import os


def author_name(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if os.environ.get("WARROOM_AUTHOR"):
        return os.environ["WARROOM_AUTHOR"]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"

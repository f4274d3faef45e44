"""Who is typing: the name entries are logged under, for the CLI and the TUI alike (a module of its
own so that the TUI does not import the CLI and its argument parser to learn it)."""

from __future__ import annotations

import os


def author_name(explicit: str | None = None) -> str:
    """The name given, else $WARROOM_AUTHOR, else the login name; bytes that are not UTF-8 made visible."""
    from warroom.domain.text import decodable

    if explicit:
        return decodable(explicit)
    if os.environ.get("WARROOM_AUTHOR"):
        return decodable(os.environ["WARROOM_AUTHOR"])
    import getpass  # only when no name is given: termios and friends are not free to import

    try:
        return decodable(getpass.getuser())
    except Exception:  # no login name in some containers
        return "unknown"

"""Argument types, and the arguments several commands share.

A bad value is refused while parsing, on one line (``not an incident id: 'x'``), before any
file is opened; ``-i``, ``--config`` and friends are declared once so they mean the same everywhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    #: One argument of a command: the flags (or name) and the options of ``add_argument``.
    Arg = tuple[tuple[str, ...], dict[str, Any]]


def arg(*flags: str, **options: Any) -> Arg:
    return flags, options


#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def incident_id(text: str) -> int:
    digits = text.lstrip("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or not 0 < int(digits) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"not an incident id: {text!r}")
    return int(digits)


def entry_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or not 0 < int(text) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"not an entry id: {text!r}")
    return int(text)


def age(text: str):
    from warroom.domain.times import parse_duration

    try:
        return parse_duration(text.strip())
    except ValueError as exc:
        too_long = "too long" in str(exc)
        raise argparse.ArgumentTypeError(str(exc) if too_long else f"not an age: {text!r} (e.g. 90d, 12w, 36h)") from None


def speed(text: str) -> float:
    try:
        value = float(text.rstrip("xX×"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a speed: {text!r} (e.g. 10)") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"speed must be above 0 and at most 600, got {text!r}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r} (e.g. 1 or 0.5)") from None
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"seconds must be between 0.05 and 3600, got {text!r}")
    return value


#: ``-i ID``: the incident a command acts on.
INCIDENT = arg("-i", "--incident", type=incident_id, metavar="ID", help="incident id (default: the active one)")

#: ``--config`` after the sub-command too (``warroom metrics --config x.toml``).
CONFIG = arg("--config", type=Path, metavar="FILE", default=argparse.SUPPRESS,
             help="config file (as the global option)")

#: ``--at T`` with no help of its own (the epilog says what T may be).
AT = arg("--at", metavar="T")

#: Arguments that name files: their bytes are kept as the operating system gave them.
_RAW_ARGS = frozenset({"scenario"})


def visible_bytes(args: argparse.Namespace) -> argparse.Namespace:
    """Text arguments with each byte that is not UTF-8 made visible (``<0xFF>``): such a line is
    logged as typed, visibly, instead of failing to encode on its way to the database or terminal."""
    from warroom.domain.text import decodable

    for name, value in vars(args).items():
        if name in _RAW_ARGS:
            continue
        if isinstance(value, str):
            setattr(args, name, decodable(value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            setattr(args, name, [decodable(v) for v in value])
    return args

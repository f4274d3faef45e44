"""Reading fields of cluster objects kept as the API server's JSON, for the pod modules.

Everything in the pod modules works on plain dicts shaped like the API server's JSON (camelCase
keys: a watch event's ``object``, an item of a list response, or the output of the official
client's ``ApiClient().sanitize_for_serialization``). A field is read with :func:`get_in`, which
never raises on a missing or mistyped level, and checked with :func:`as_text`: a value that cannot
be what the API promises is :class:`Unreadable`, whose message names the field, so one malformed
object costs its row, not the view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "Obj",
    "Unreadable",
    "as_int",
    "as_list",
    "as_text",
    "get_in",
    "shown",
]


Obj = Mapping[str, Any]


def get_in(obj: Obj | None, *path: str) -> Any:
    """``obj[path[0]][path[1]]…``; None where a level is missing or not a mapping."""
    cur: Any = obj
    for key in path:
        # API objects are dicts: the exact-type test spares the ABC check, a third of a pod's row
        if type(cur) is not dict and not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


class Unreadable(ValueError):
    """A field of a cluster object that cannot be what the API promises (a bad timestamp, a name
    that is not text…); the message names the field and shows the value (``repr``: escapes visible)."""


def shown(value: Any, limit: int = 40) -> str:
    """A value for an error message: its ``repr`` (escapes visible), cut to ``limit``."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_text(value: Any, field: str) -> str:
    """A string field: "" when unset; anything but text is :class:`Unreadable`."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    raise Unreadable(f"{field} is not text: {shown(value)}")


def as_list(value: Any) -> list[Any]:
    """A list field; [] when unset or not a list."""
    return list(value) if isinstance(value, list | tuple) else []


def as_int(value: Any, default: int = 0) -> int:
    """A count field; ``default`` when unset or not a number."""
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

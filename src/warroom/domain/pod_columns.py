"""Which pod columns a pane of a given width shows, and how wide each is.

READY, STATUS and RESTARTS are what an incident is judged by: they are never cut. NAME gives way
first, down to a name still recognisable (``checkout-7d9f…-x2x4q``: the cut is in the middle,
because pods of one workload differ only at the end); then the columns that can be looked up
elsewhere are left out (NODE, then AGE, then NAMESPACE, then CONTEXT); then NAME shrinks again,
down to a few characters. A pane narrower still scrolls sideways.

Pure: no I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["GAP", "NAME_MIN", "NAME_READABLE", "fit_widths", "middle_cut", "row_width"]

#: spaces before each column (so between two columns)
GAP = 1
#: NAME is not cut below this while an optional column could make room instead
NAME_READABLE = 20
#: NAME is never cut below this (the table scrolls sideways instead)
NAME_MIN = 8  # "che…255c": the pod's own suffix still tells them apart
#: left out first when the width is short (the others are never left out)
OPTIONAL = ("NODE", "AGE", "NAMESPACE", "CONTEXT")


def row_width(widths: Sequence[int]) -> int:
    """Cells a row of these columns takes (a width of 0 is a column left out)."""
    return sum(w + GAP for w in widths if w)


def fit_widths(labels: Sequence[str], natural: Sequence[int], width: int) -> list[int]:
    """Each column's width for a pane ``width`` cells wide, 0 for a column left out.

    ``natural`` is each column's width that cuts nothing (the widest of its cells and header).
    Columns other than NAME and the optional ones keep their natural width whatever ``width``."""
    widths = list(natural)
    name = labels.index("NAME") if "NAME" in labels else None

    def over() -> int:
        return row_width(widths) - width

    def shrink_name(floor: int) -> None:
        if name is not None and over() > 0:
            widths[name] = max(min(floor, natural[name]), widths[name] - over())

    shrink_name(NAME_READABLE)
    for label in OPTIONAL:
        if over() <= 0:
            break
        if label in labels:
            widths[labels.index(label)] = 0
    if name is not None and over() < 0:  # a column left out may free more than NAME needed
        widths[name] = min(natural[name], widths[name] - over())
    shrink_name(NAME_MIN)
    return widths


def middle_cut(text: str, width: int) -> str:
    """``text`` in ``width`` characters: the start and the end kept, an ellipsis between.

    The end kept is the last ``-``-separated part when five characters of the start still fit
    beside it (a pod's own suffix: ``checkout-7d9f…-x2x4q``, ``check…-x2x4q``), else the last half."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    room = width - 1
    dash = text.rfind("-")
    tail = len(text) - dash if 0 < dash and len(text) - dash <= room - 5 else room // 2
    return text[: room - tail] + "…" + text[len(text) - tail:]

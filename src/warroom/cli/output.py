"""What the sub-commands print: every cell, line and error goes through the one sanitiser.

Text from Prometheus, the cluster, the database or the command line is shown literally: an
escape sequence in an alert name shows as ``␛]52;…`` and cannot set the title or the clipboard.
"""

from __future__ import annotations

import sys
from warroom.domain.text import json_visible, one_line, visible

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Sequence, TextIO


def cell(value: object) -> str:
    """One table cell or field of a line: visible, on one line."""
    return one_line(str(value))


def table(rows: Iterable[Sequence[object]], indent: str = "", gap: str = "  ") -> list[str]:
    """Columns padded to their widest cell (the last left ragged); every cell sanitised."""
    cells = [[cell(v) for v in row] for row in rows]
    if not cells:
        return []
    columns = max(len(r) for r in cells)
    cells = [r + [""] * (columns - len(r)) for r in cells]
    widths = [max(len(r[c]) for r in cells) for c in range(columns - 1)]
    return [(indent + gap.join([*(r[c].ljust(widths[c]) for c in range(columns - 1)), r[-1]])).rstrip()
            for r in cells]


def out(text: str = "", file: TextIO | None = None) -> None:
    """Print lines we composed (their newlines kept), anything foreign in them made visible."""
    print(visible(text), file=file or sys.stdout, flush=True)


def write(text: str) -> None:
    """Write a composed document to stdout as is, but with nothing a terminal would act on."""
    sys.stdout.write(visible(text))


def write_json(document: str) -> None:
    """A JSON document for stdout: unsafe characters as ``\\uXXXX`` escapes (same data for a parser)."""
    sys.stdout.write(json_visible(document))


def error(message: object) -> None:
    """``warroom: error: …`` on one line of stderr."""
    print(f"warroom: error: {one_line(str(message))}", file=sys.stderr, flush=True)

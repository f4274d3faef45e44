"""Escaping user text so it cannot break (or inject into) the exported markdown.

Everything people type — titles, entries, names, reasons — goes through here. Markdown's
inline syntax is neutralised with backslash escapes (valid CommonMark for any ASCII
punctuation), ``<`` (raw HTML, autolinks) and ``&`` before an entity name become entities, and block syntax at the start of a line
(headings, quotes, lists, thematic breaks, indented code) is escaped. A one-line field (a title
in a heading, a list item) folds its newlines (``⏎``) so it cannot start a block of its own;
table cells fold them into ``<br>``. Control characters are made visible (``text.visible``).
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_ENTITY = re.compile(r"&(#?\w+;)")
from warroom.domain.text import visible


def _escaped(text: str) -> str:
    """Inline escapes; newlines (``\\r`` too) are kept as ``\\n`` for the caller to place."""
    text = visible(text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "))
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"&amp;\1", text)
    return text.replace("<", "&lt;")


def inline(text: str) -> str:
    """Escape user text for one line: a heading, a list item, a sentence (newlines folded as ``⏎``)."""
    return _escaped(text).replace("\n", " ⏎ ")


def block(text: str) -> str:
    """Escape multi-line user text as paragraphs: inline escapes plus line-start syntax."""
    lines = _escaped(text).split("\n")
    out = []
    for line in lines:
        line = line.lstrip(" ")  # insignificant in a paragraph; four of them would start a code block
        m = _BLOCK_START.match(line)
        if m and m[2][0].isdigit():
            line = line[: m.end()] + "\\" + line[m.end():]  # "1. x" -> "1\. x"
        elif m:
            line = m[1] + "\\" + line[len(m[1]):]
        out.append(line)
    return "\n".join(out)


def cell(text: str) -> str:
    """Escape user text for a table cell: one physical line, pipes escaped."""
    return "<br>".join(_escaped(text).split("\n")) or " "

"""Metric panel titles short enough for their column and still different from each other.

Panels of one service are usually named alike ("Checkout error ratio", "Checkout p95 latency"):
cut at the end to a narrow column they all read "Checkout…". A short title keeps what tells a
panel from the others instead: the words after the leading words it shares with another panel
(with the shared words abbreviated in front when there is room), and, if two titles still read
the same, the first word of the panel's query that differs from the other's.

Pure: no I/O, no Textual.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from warroom.domain.panels import Panel

__all__ = ["cut", "short_titles"]

#: identifiers, numbers and quoted label values of a PromQL query
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|([A-Za-z_:][\w:.-]*|\d[\w.]*)')
#: room kept for the shared words in front (``Check… error ratio``): fewer chars say nothing
_MIN_PREFIX = 4


def cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis at the end."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def short_titles(panels: Sequence[Panel], width: int) -> list[str]:
    """One title per panel, each at most ``width`` characters; titles that fit are unchanged, and
    titles that differ stay different whenever the width allows it."""
    titles = [p.title for p in panels]
    if all(len(t) <= width for t in titles):
        return titles
    words = [t.split() for t in titles]
    out = [_shortened(words[i], _shared_words(words, i), width) for i in range(len(titles))]
    for i, j in _collisions(out):
        token = _distinct_token(panels[i].query, [panels[k].query for k in j])
        if token:
            out[i] = _with_suffix(out[i] if width - len(token) > 3 else "", token, width)
    for i, _ in _collisions(out):
        out[i] = _with_suffix(out[i], f"#{i + 1}", width)
    return out


def _shared_words(words: Sequence[Sequence[str]], i: int) -> int:
    """How many leading words title ``i`` shares with another title (never all of its words)."""
    best = 0
    for j, other in enumerate(words):
        if j == i:
            continue
        n = 0
        while n < min(len(words[i]), len(other)) and words[i][n].casefold() == other[n].casefold():
            n += 1
        best = max(best, n)
    return min(best, len(words[i]) - 1)


def _shortened(words: Sequence[str], shared: int, width: int) -> str:
    title = " ".join(words)
    if len(title) <= width or not shared:
        return cut(title, width)
    prefix, distinct = " ".join(words[:shared]), " ".join(words[shared:])
    room = width - len(distinct) - 1
    if room >= _MIN_PREFIX:
        return f"{cut(prefix, room)} {distinct}"
    return cut(distinct, width)


def _collisions(titles: Sequence[str]) -> list[tuple[int, list[int]]]:
    """Each title that another one repeats, with the indexes of the others."""
    counts = Counter(titles)
    return [(i, [j for j, u in enumerate(titles) if u == t and j != i])
            for i, t in enumerate(titles) if counts[t] > 1]


def _tokens(query: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _TOKEN.finditer(query)]


def _distinct_token(query: str, others: Sequence[str]) -> str:
    """The first word (name, number or quoted value) of ``query`` where it differs from each of
    ``others``, or "" when none does."""
    mine = _tokens(query)
    theirs = [_tokens(o) for o in others]
    for n, token in enumerate(mine):
        if token and all(n >= len(t) or t[n] != token for t in theirs):
            return token
    return ""


def _with_suffix(title: str, suffix: str, width: int) -> str:
    """``title`` cut to leave room for `` suffix`` (the suffix alone, cut, if there is none)."""
    room = width - len(suffix) - 1
    if room < 1 or not title:
        return cut(suffix, width)
    return f"{cut(title, room)} {suffix}"

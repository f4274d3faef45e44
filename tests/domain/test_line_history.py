"""Lines typed but not logged, recalled with ↑ and ↓ (``domain.line_history``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from warroom.domain.line_history import LineHistory


def test_older_walks_back_skipping_the_line_shown_and_newer_gives_the_draft_back():
    h = LineHistory()
    for line in ("@25:99 bad time", "/s fixed", "/sev 9"):
        h.add(line)
    # the refused "/sev 9" is still on the input: ↑ brings the one before it
    assert h.older("/sev 9") == "/s fixed"
    assert h.older("/s fixed") == "@25:99 bad time"
    assert h.older("@25:99 bad time") is None  # the oldest: ↑ goes on to the timeline
    assert h.newer() == "/s fixed"
    assert h.newer() == "/sev 9"
    assert h.newer() == "/sev 9"  # the draft: what was on the line when the walk began
    assert h.newer() is None


def test_a_logged_line_is_forgotten_and_each_line_is_kept_once():
    h = LineHistory(limit=3)
    for line in ("a", "b", "a", " ", "c", "d"):
        h.add(line)
    assert h.lines == ["a", "c", "d"]
    h.forget("c")
    assert h.lines == ["a", "d"]
    assert h.older("") == "d"


@given(st.lists(st.text(min_size=1, max_size=5).filter(str.strip), max_size=10), st.text(max_size=5))
def test_every_line_kept_is_reached_newest_first_and_the_draft_comes_back(lines, draft):
    h = LineHistory()
    for line in lines:
        h.add(line)
    seen, shown = [], draft
    while (line := h.older(shown)) is not None:
        seen.append(line)
        shown = line
    newest_first = list(dict.fromkeys(reversed(lines)))
    # the line on the input when ↑ is pressed is not recalled onto itself
    assert seen == (newest_first[1:] if newest_first[:1] == [draft] else newest_first)
    while (line := h.newer()) is not None:
        shown = line
    assert shown == draft

"""The timeline's cells, the detail under it and the full-entry view, as text: pure formatting."""

from __future__ import annotations

from warroom.domain.frozen import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from warroom.domain.timeline import Entry, Revision
from warroom.ui import render
from warroom.ui.entry_text import entry_view

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))
WORDS = " ".join(f"word{n:02d}" for n in range(50))  # 349 characters, every word distinct


def entry(text="pool at 100%", **kw) -> Entry:
    kw.setdefault("at", T0)
    kw.setdefault("logged_at", kw["at"])
    return Entry(id=1, incident_id=1, author=kw.pop("author", "sam"), kind=kw.pop("kind", "note"), text=text, **kw)


def test_the_time_cell_is_always_hh_mm_ss():
    assert render.time_cell(entry(at=T0 - timedelta(days=1)), UTC).plain == "10:00:00"
    assert render.time_cell(entry(at=T0 - timedelta(days=1)), None).plain == "10:00:00Z"
    assert render.time_cell(entry(at=T0 + timedelta(hours=13)), PLUS2).plain == "01:00:00"


@pytest.mark.parametrize("width", [30, 61, 104])
def test_the_day_separator_fills_its_line(width):
    line = render.day_separator(date(2026, 11, 24), width)
    assert line.cell_len == width and "Tue 24 Nov" in line.plain and line.plain.startswith("──")
    assert "2026" in render.day_separator(date(2026, 11, 24), width, with_year=True).plain


def test_an_action_shows_owner_and_due_before_its_text():
    action = entry("pause the reporting job " + WORDS, kind="action", owner="bob", due=T0 + timedelta(minutes=30))
    assert render.text_cell(action, UTC).plain.startswith("@bob by 10:30 pause the reporting job")
    assert render.text_cell(action, None).plain.startswith("@bob by 10:30Z pause")
    assert render.text_cell(action, PLUS2).plain.startswith("@bob by 12:30 pause")
    tomorrow = replace(action, due=T0 + timedelta(days=1))
    assert render.text_cell(tomorrow, UTC).plain.startswith("@bob by Tue 10:00 pause")
    long_owner = replace(action, owner="an-owner-with-a-very-long-name")
    assert render.text_cell(long_owner, UTC).plain.startswith("@an-owner-wi… by 10:30 pause")
    assert render.text_cell(replace(action, owner=""), UTC).plain.startswith("by 10:30 pause")
    assert render.text_cell(entry("just a note"), UTC).plain == "just a note"


def test_the_detail_fits_its_space_and_says_when_there_is_more():
    long = entry(WORDS)
    cut = render.detail(long, UTC, 60, 3)
    lines = cut.plain.split("\n")
    assert len(lines) == 3 and all(len(line) <= 60 for line in lines)
    assert lines[-1].endswith(render.MORE)
    assert render.detail(long, UTC, 30, 2).plain.endswith(render.MORE_SHORT)
    short = render.detail(entry("pool at 100%"), UTC, 60, 3).plain
    assert short.split("\n")[-1] == "pool at 100%" and "…" not in short
    assert render.detail(long, UTC).plain.endswith(WORDS)  # no space given: whole


def test_the_detail_names_an_actions_owner_and_due():
    action = entry("restart the pool", kind="action", owner="bob", due=T0 + timedelta(minutes=30))
    assert "@bob by 10:30" in render.detail(action, UTC, 80, 3).plain


def test_the_view_has_every_word_and_every_fact():
    action = entry(WORDS, kind="action", owner="bob", due=T0 + timedelta(minutes=30), starred=True,
                   at=T0 - timedelta(hours=11), logged_at=T0 + timedelta(minutes=2))
    text = entry_view(action, PLUS2).plain
    for word in WORDS.split():
        assert word in text
    assert "Mon 23 Nov 2026 01:00:00 local (UTC+02:00) · 2026-11-22 23:00:00 UTC" in text
    assert "ACTION" in text and "★ starred" in text and "sam" in text and "@bob" in text
    assert "Due       Mon 23 Nov 2026 12:30:00 local" in text
    assert "↶ backdated" in text and "Logged" in text
    assert "Owner     none" in entry_view(replace(action, owner="", due=None), UTC).plain


def test_the_view_lists_earlier_versions_oldest_first():
    history = (Revision(1, T0, "note", "pool at 90%", "sam", T0 + timedelta(minutes=1), "alice"),
               Revision(2, T0, "note", "pool at 95%", "alice", T0 + timedelta(minutes=2), "bob"))
    edited = entry("pool at 100%", revision=3)
    text = entry_view(edited, UTC, history).plain
    assert "revision 3" in text
    assert text.index("Earlier versions") < text.index("pool at 90%") < text.index("pool at 95%")
    assert "by alice" in text and "by bob" in text
    assert "reading…" in entry_view(edited, UTC, None, history_note="reading…").plain


def test_a_redacted_entry_shows_neither_its_text_nor_its_earlier_versions():
    history = (Revision(1, T0, "note", "password=hunter2", "sam", T0 + timedelta(minutes=1), "sam"),)
    redacted = entry("password=hunter3", revision=2, redacted_at=T0 + timedelta(minutes=3), redacted_by="alice",
                     redaction_reason="secret pasted")
    text = entry_view(redacted, UTC, history).plain
    assert "hunter" not in text
    assert "secret pasted" in text and "alice" in text and "1 earlier version, hidden" in text


def test_the_view_shows_outside_text_literally():
    hostile = entry("[bold red]x[/] \x1b[31mred\x1b[0m \u202eevil", author="[i]mallory\x07")
    text = entry_view(hostile, UTC)
    assert "[bold red]x[/] ␛[31mred␛[0m <U+202E>evil" in text.plain
    assert "[i]mallory␇" in text.plain
    assert not text.spans or all("red" not in str(s.style) for s in text.spans)

"""Action items typed in the scribe's grammar: owner, type, priority, due, tracker reference — stored
as the entry's owner/due and a canonical text, read back by every reader the same way."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warroom.domain.actions import Tags, canonical, fields
from warroom.domain.scribe import ScribeError, line_text, parse_line
from warroom.domain.timeline import Entry

UTC = timezone.utc
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def action(text: str, now: datetime = MONDAY):
    line = parse_line(text, now, UTC)
    assert line.kind == "action"
    return line


def test_the_whole_grammar():
    line = action("/a @alice [prevent] [P2] add a pool alert by fri #JIRA-123")
    assert (line.owner, line.due, line.text) == (
        "alice", datetime(2026, 11, 27, 17, 0, tzinfo=UTC), "[prevent] [P2] add a pool alert #JIRA-123")
    assert fields(line.text) == Tags("prevent", "P2", "add a pool alert", "JIRA-123")


@pytest.mark.parametrize("typed, expected", [
    ("/a [p1] [mit] @bob roll back #OPS-9 by 14:00", ("bob", "[mitigate] [P1] roll back #OPS-9", 14)),
    ("/a [Process] update the runbook", ("", "[process] update the runbook", None)),
    ("/a restart the pool by hand", ("", "restart the pool by hand", None)),  # not a due time: text
    ("/a fix #1 problem", ("", "fix #1 problem", None)),  # a # inside the text is text
])
def test_tags_in_any_order_are_stored_in_one(typed, expected):
    line = action(typed)
    assert (line.owner, line.text, line.due.hour if line.due else None) == expected


@pytest.mark.parametrize("word, day", [("fri", 27), ("friday", 27), ("mon", 23), ("tomorrow", 24), ("today", 23),
                                       ("2026-12-01", 1)])
def test_due_days_are_that_day_at_five_local(word, day):
    assert action(f"/a x by {word}").due.day == day and action(f"/a x by {word}").due.hour == 17


def test_a_weekday_already_past_today_is_next_week():
    evening = MONDAY.replace(hour=18)
    assert action("/a x by mon", evening).due == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed, message", [
    ("/a [bug] x", "unknown tag [bug]"),
    ("/a [P5] x", "unknown tag [P5]"),
    ("/a [P1] [P2] x", "two priorities"),
    ("/a [prevent] [process] x", "two types"),
    ("/a [P1] by 14:00 #X-1", "needs what to do"),
])
def test_a_mistyped_action_is_refused_in_one_line(typed, message):
    with pytest.raises(ScribeError, match=message.replace("[", r"\[").replace("]", r"\]")) as caught:
        action(typed)
    assert "\n" not in str(caught.value)


def test_fields_read_any_text_leniently():
    assert fields("[WIP] [P9] something") == Tags("", "", "[WIP] [P9] something", "")
    assert fields("#JIRA-1") == Tags("", "", "#JIRA-1", "")  # a text that is only a reference stays text
    assert canonical(fields("[prevent] [P0] x #A-1")) == "[prevent] [P0] x #A-1"


@pytest.mark.parametrize("typed", [
    "/a @alice [prevent] [P2] add a pool alert by fri #JIRA-123",
    "/a @bob roll back by 23:30",
    "/a [process] write it down by 2026-12-01T09:15",
    "/a nothing else",
])
def test_an_action_edited_as_a_line_loses_nothing(typed):
    """The TUI's edit shows the action as a line; saving it unchanged gives back owner, due and tags."""
    line = action(typed)
    entry = Entry(1, 1, MONDAY, MONDAY, "ana", "action", line.text, owner=line.owner, due=line.due)
    shown = line_text(entry, UTC, MONDAY + timedelta(minutes=5))
    again = action("/a " + shown, MONDAY + timedelta(minutes=5))
    assert (again.text, again.owner, again.due) == (line.text, line.owner, line.due)

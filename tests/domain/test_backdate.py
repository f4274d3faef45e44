"""A backdated HH:MM that lands before the incident began is refused, with the full date
and the way to give one; the scribe's ``@HH:MM`` and the CLI's ``--at`` share the rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.backdate import check_backdate
from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.domain.scribe import ScribeError, parse_line
from warroom.domain.times import TimeParseError, parse_when

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
DECLARED = datetime(2026, 12, 6, 23, 55, tzinfo=UTC)
NOW = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)


def incident(**milestones) -> Incident:
    return Incident(id=4, title="Checkout down", severity="SEV-2", status="investigating", policy=SEV,
                    milestones={"declared": DECLARED, **milestones})


def resolve_and_check(text: str, inc: Incident, now: datetime = NOW, local=UTC, flag: str = "--at ") -> datetime:
    at = parse_when(text, now, local)
    check_backdate(text, at, inc, local, flag=flag)
    return at


def test_half_past_midnight_typed_at_23_59_is_refused_with_the_date_and_how_to_give_one() -> None:
    with pytest.raises(TimeParseError) as exc:
        resolve_and_check("00:30", incident())
    assert str(exc.value) == ("'00:30' is 2026-12-06 00:30, 23h25m before #4 was declared (2026-12-06 23:55); "
                              "to mean that, give the date: --at 2026-12-06T00:30")


def test_a_few_hours_before_the_declaration_is_fine_without_a_detection_time() -> None:
    assert resolve_and_check("18:00", incident()) == datetime(2026, 12, 6, 18, 0, tzinfo=UTC)  # 5h55m before
    with pytest.raises(TimeParseError, match=r"6h05m before #4 was declared"):
        resolve_and_check("17:50", incident())


def test_before_detection_is_refused_and_after_it_is_fine() -> None:
    inc = incident(detected=datetime(2026, 12, 6, 23, 40, tzinfo=UTC))
    assert resolve_and_check("23:40", inc) == datetime(2026, 12, 6, 23, 40, tzinfo=UTC)
    with pytest.raises(TimeParseError, match=r"^'23:39' is 2026-12-06 23:39, before #4 was detected "
                                             r"\(2026-12-06 23:40\); to mean that, give the date: "
                                             r"--at 2026-12-06T23:39$"):
        resolve_and_check("23:39", inc)
    # An incident written up afterwards: detection long before the declaration is the floor.
    early = incident(detected=datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    assert resolve_and_check("10:00", early) == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def test_a_full_date_is_taken_as_meant() -> None:
    at = parse_when("2026-12-06T00:30", NOW, UTC)
    check_backdate("2026-12-06T00:30", at, incident(), UTC)  # does not raise


def test_the_message_shows_local_time() -> None:
    with pytest.raises(TimeParseError, match=r"^'01:30' is 2026-12-06 01:30, .*\(2026-12-07 00:55\); "
                                             r"to mean that, give the date: --at 2026-12-06T01:30$"):
        resolve_and_check("01:30", incident(), local=BERLIN)


def test_the_scribe_line_refuses_it_too_and_names_the_at_form() -> None:
    with pytest.raises(ScribeError, match=r"^'00:30' is 2026-12-06 00:30, .*give the date: @2026-12-06T00:30$"):
        parse_line("@00:30 rolled back", NOW, UTC, incident())
    with pytest.raises(ScribeError, match=r"give the date: @2026-12-06T00:30$"):
        parse_line("/ack @00:30", NOW, UTC, incident())
    line = parse_line("@23:50 rolled back", NOW, UTC, incident())
    assert line.at == DECLARED - timedelta(minutes=5) and line.backdated
    dated = parse_line("@2026-12-06T00:30Z rolled back", NOW, UTC, incident())
    assert dated.at == datetime(2026, 12, 6, 0, 30, tzinfo=UTC)

"""The stakeholder page's rendering (``domain.status_page``): pure, escaped, the TUI's numbers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.domain.sla import evaluate
from warroom.domain.sla_words import target_words
from warroom.domain.status_page import page_html, state_html
from warroom.domain.timeline import Entry

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script><b onclick=evil()>bold</b> \x1b[31mred & done'


def incident(title: str = "Checkout 500s", **milestones: datetime) -> Incident:
    milestones.setdefault("declared", T0)
    return Incident(id=7, title=title, severity="SEV-1", status="investigating", policy=SEV, milestones=milestones,
                    roles={"commander": "ana <i>lead</i>"}, impact="EU & US <em>users</em>")


def entry(i: int, kind: str, minutes: float, text: str, *, redacted: bool = False) -> Entry:
    at = T0 + timedelta(minutes=minutes)
    return Entry(id=i, incident_id=7, at=at, logged_at=at, author="bo<b>b</b>", kind=kind, text=text,
                 redacted_at=at if redacted else None, redaction_reason="oops" if redacted else "")


def visible_text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_user_text_is_shown_literally_never_as_markup() -> None:
    html = state_html(incident(HOSTILE), [entry(1, "comms", 3, HOSTILE)], T0 + timedelta(minutes=5))
    assert "<script>" not in html and "<b onclick" not in html and "\x1b" not in html
    shown = visible_text(html)
    assert '<script>alert("x")</script><b onclick=evil()>bold</b> ␛[31mred & done' in shown  # title and update
    assert shown.count("<script>") == 2
    assert "ana <i>lead</i>" in shown and "EU & US <em>users</em>" in shown and "bo<b>b</b>" in shown


def test_the_sla_states_are_the_tuis_words_for_the_same_instant() -> None:
    inc = incident(acknowledged=T0 + timedelta(minutes=2))
    now = T0 + timedelta(minutes=70)  # SEV-1: resolve within 1 h: breached 10m
    html = state_html(inc, [], now)
    report = evaluate(inc, [], now)
    for clock in report.targets:
        state, words = target_words(clock, now)
        assert f'state-{state}"><strong>' in html and words in visible_text(html)
    assert "BREACHED 10m" in visible_text(html) and "MET" in visible_text(html)
    assert "1:10:00 since declaration" in visible_text(html)


def test_the_next_update_due_and_the_last_updates_sent_newest_first() -> None:
    entries = [entry(i, "comms", i, f"update {i}") for i in range(1, 8)] + [entry(20, "comms", 9, "gone",
                                                                               redacted=True)]
    shown = visible_text(state_html(incident(), entries, T0 + timedelta(minutes=10)))
    assert "update 7" in shown and "update 3" in shown and "update 2" not in shown  # the last five
    assert shown.index("update 7") < shown.index("update 3")
    assert "gone" not in shown  # redacted
    assert "due by 2026-11-23 10:22:00Z: ● OK 12m left" in shown


def test_the_timeline_is_shown_only_when_configured() -> None:
    entries = [entry(1, "note", 1, "db primary looks sick, maybe Bob's deploy")]
    assert "Bob's deploy" not in visible_text(state_html(incident(), entries, T0 + timedelta(minutes=2)))
    assert "Bob's deploy" in visible_text(state_html(incident(), entries, T0 + timedelta(minutes=2), timeline=True))


def test_no_incident_and_a_problem_reading_are_said() -> None:
    html = state_html(None, [], T0, problem="the database <x> is locked")
    assert "No incident is open" in html and "the database &lt;x&gt; is locked" in html
    assert 'role="alert"' in html


def test_the_page_needs_no_script_to_stay_current() -> None:
    html = page_html("<h1>x</h1>")
    assert '<noscript><meta http-equiv="refresh"' in html and 'lang="en"' in html and 'name="viewport"' in html
    assert "<script src=" in html and "<script>" not in html  # no inline script: the CSP allows none


def test_a_page_without_its_live_stream_reloads_itself_and_says_why() -> None:
    html = page_html("<h1>x</h1>", live=False)
    assert '<meta http-equiv="refresh" content="30">' in html and "<noscript>" not in html
    assert "<script" not in html and "Live updates are full right now" in html and "reloads every 30 s" in html

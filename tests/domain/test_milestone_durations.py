"""Durations and SLA targets of incidents whose milestones came in the real order: the page
acknowledged before the incident was declared, or the incident declared long after the fact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.review_templates import review_markdown as to_markdown
from warroom.domain.sla import durations, evaluate

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 12, tzinfo=UTC)


def make(**milestones) -> Incident:
    return Incident(id=2, title="Checkout down", severity="SEV-2", status="investigating", policy=SEV,
                    milestones=milestones)


def test_acknowledged_before_declared_takes_no_time_from_the_declaration() -> None:
    ms = {"declared": T0, "acknowledged": T0 - timedelta(minutes=5)}
    assert durations(ms)["acknowledge"] == timedelta(0)
    report = evaluate(make(**ms), [], T0 + timedelta(minutes=1))
    assert report.start == T0  # targets still count from the declaration (detection unknown)
    ack = report.target("acknowledge")
    assert ack.state == "met" and ack.met_at == T0 - timedelta(minutes=5)
    # With a detection time, everything counts from it.
    ms["detected"] = T0 - timedelta(minutes=10)
    assert durations(ms)["acknowledge"] == timedelta(minutes=5) and durations(ms)["detect"] == timedelta(minutes=10)


def test_the_review_shows_an_acknowledgement_before_the_start_as_negative() -> None:
    incident = make(declared=T0, acknowledged=T0 - timedelta(minutes=5))
    text = to_markdown(incident, [], T0 + timedelta(minutes=1))
    assert "| acknowledged | 2026-11-23 10:07:00Z | -5m |" in text
    assert "Time to acknowledge: 0s" in text

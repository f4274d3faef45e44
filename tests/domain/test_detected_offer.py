"""The detected milestone offered from the earliest attached alert: which start, and whether to offer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain.alert_payload import parse_notification
from warroom.domain.alert_routing import entry_at, entry_key, entry_text
from warroom.domain.detected_offer import COMMAND, detected_offer
from warroom.domain.incident import Incident
from warroom.domain.presets import preset
from warroom.domain.timeline import Entry

DECLARED = datetime(2026, 3, 1, 10, 15, tzinfo=timezone.utc)
NOW = DECLARED + timedelta(minutes=20)


def incident(**milestones: datetime) -> Incident:
    return Incident(id=7, title="Checkout down", severity="SEV-2", status="investigating", policy=preset("sev"),
                    milestones={"declared": DECLARED, **milestones})


def alert_entry(n: int, name: str, starts: datetime, status: str = "firing", now: datetime = NOW, **kw) -> Entry:
    """The entry the receiver writes for one alert (its key, text and time, as ``AlertIntake`` makes them)."""
    data = {"version": "4", "status": status, "groupKey": "g", "truncatedAlerts": 0, "receiver": "w",
            "alerts": [{"status": status, "labels": {"alertname": name, "service": "checkout"},
                        "annotations": {"summary": f"{name} is high"}, "fingerprint": f"fp{n}",
                        "startsAt": starts.isoformat(), "endsAt": (starts + timedelta(minutes=30)).isoformat()}]}
    (alert,) = parse_notification(data).alerts
    return Entry(id=n, incident_id=7, at=entry_at(alert, now), logged_at=now, author="alertmanager", kind="system",
                 text=entry_text(alert), key=entry_key(alert), **kw)


def note(n: int, at: datetime) -> Entry:
    return Entry(id=n, incident_id=7, at=at, logged_at=at, author="ana", kind="note", text="Alert firing: typed by hand")


def test_the_earliest_attached_alert_before_detected_is_offered():
    detected = DECLARED - timedelta(minutes=5)  # 10:10
    entries = [alert_entry(1, "Latency", DECLARED - timedelta(minutes=8)),
               alert_entry(2, "CheckoutErrors", DECLARED - timedelta(minutes=13)),  # 10:02: the first
               note(3, DECLARED - timedelta(hours=2))]  # a note is not an alert, whatever it says
    offer = detected_offer(incident(detected=detected), entries, NOW)
    assert (offer.at, offer.alert, offer.detected) == (DECLARED - timedelta(minutes=13), "CheckoutErrors", detected)
    assert offer.message(timezone.utc) == (f"Alert CheckoutErrors started 10:02, 8m before detected — set "
                                           f"detected to 10:02? (palette: '{COMMAND}')")


def test_no_detected_time_offers_the_first_alert_that_started_before_the_declaration():
    offer = detected_offer(incident(), [alert_entry(1, "CheckoutErrors", DECLARED - timedelta(minutes=3))], NOW)
    assert offer.at == DECLARED - timedelta(minutes=3) and offer.detected is None
    assert "no detected time is set" in offer.message(timezone(timedelta(hours=1)))
    assert "11:12" in offer.message(timezone(timedelta(hours=1)))  # shown in the screen's zone
    # started after the declaration: detected cannot be set there (milestone order), nothing offered
    assert detected_offer(incident(), [alert_entry(1, "Late", DECLARED + timedelta(minutes=1))], NOW) is None


def test_nothing_is_offered_when_detected_is_already_as_early():
    starts = DECLARED - timedelta(minutes=10, microseconds=-400_000)  # Alertmanager's sub-second start
    entries = [alert_entry(1, "CheckoutErrors", starts)]
    assert detected_offer(incident(detected=starts), entries, NOW) is None  # declared from this alert
    assert detected_offer(incident(detected=starts + timedelta(milliseconds=600)), entries, NOW) is None
    assert detected_offer(incident(detected=starts - timedelta(minutes=1)), entries, NOW) is None
    assert detected_offer(incident(detected=starts + timedelta(seconds=1)), entries, NOW) is not None


def test_resolved_entries_redacted_ones_and_alerts_from_the_future_offer_nothing():
    early = DECLARED - timedelta(minutes=30)
    resolved = alert_entry(1, "Gone", early, status="resolved")
    redacted = alert_entry(2, "Wrong", early, redacted_at=NOW, redacted_by="ana")
    assert detected_offer(incident(detected=DECLARED), [resolved, redacted], NOW) is None
    # a start after now (a sender's skewed clock) is capped at the delivery's now by the receiver;
    # an entry still ahead of ``now`` (this screen's clock behind) waits
    ahead = alert_entry(3, "Skewed", DECLARED - timedelta(minutes=1), now=NOW)
    assert detected_offer(incident(detected=DECLARED), [ahead], DECLARED - timedelta(minutes=2)) is None
    assert detected_offer(incident(detected=DECLARED), [ahead], NOW) is not None


def test_a_resolved_incident_gets_no_offer_and_the_key_names_the_incident_and_the_instant():
    entries = [alert_entry(1, "CheckoutErrors", DECLARED - timedelta(minutes=3))]
    assert detected_offer(_resolved(), entries, NOW) is None
    offer = detected_offer(incident(), entries, NOW)
    assert offer.key == "7:2026-03-01T10:12:00Z"
    assert detected_offer(incident(), entries + [alert_entry(2, "Older", DECLARED - timedelta(minutes=9))],
                          NOW).key != offer.key  # an earlier alert attached later is a new offer


def _resolved() -> Incident:
    return Incident(id=7, title="Checkout down", severity="SEV-2", status="resolved", policy=preset("sev"),
                    milestones={"declared": DECLARED, "resolved": NOW})

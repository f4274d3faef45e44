"""Alertmanager/Grafana payloads read into notifications; routing; once-only keys; entry text."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest

from warroom.domain.alert_payload import PayloadError, parse_notification
from warroom.domain.alert_routing import (
    Route, Routing, RoutingError, decide, entry_key, entry_text, incident_title, parse_key, parse_matcher,
    severity_for,
)
from warroom.domain.incident import Incident
from warroom.domain.presets import preset

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)

AM = {
    "version": "4", "groupKey": '{}:{alertname="HighErrorRatio"}', "truncatedAlerts": 0, "status": "firing",
    "receiver": "warroom", "groupLabels": {"alertname": "HighErrorRatio"}, "commonLabels": {},
    "commonAnnotations": {}, "externalURL": "http://am:9093",
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "HighErrorRatio", "severity": "critical", "service": "checkout", "pod": "x"},
        "annotations": {"summary": "5xx ratio is 15%"},
        "startsAt": "2026-03-01T10:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prom:9090/graph?g0.expr=x", "fingerprint": "c0ffee0123456789",
    }],
}

GRAFANA = {
    "receiver": "warroom", "status": "firing", "orgId": 1, "groupKey": "{}/{}:{}", "truncatedAlerts": 0,
    "title": "[FIRING:1] Disk", "state": "alerting", "message": "…", "version": "1", "externalURL": "http://g/",
    "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
    "alerts": [{
        "status": "firing", "labels": {"alertname": "Disk", "team": "infra"}, "annotations": {},
        "startsAt": "2026-03-01T10:00:00+01:00", "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://g/a",
        "fingerprint": "57c6d9296de2ad39", "silenceURL": "http://g/s", "dashboardURL": "", "panelURL": "",
        "values": {"B": 91.5}, "valueString": "[ var='B' value=91.5 ]",
    }],
}


def payload(**alert_changes) -> dict:
    data = copy.deepcopy(AM)
    data["alerts"][0].update(alert_changes)
    return data


def incident(id: int, services=(), drill=False) -> Incident:
    return Incident(id=id, title=f"i{id}", severity="SEV-2", status="investigating", policy=preset("sev"),
                    milestones={"declared": T0}, services=tuple(services), drill=drill)


def test_alertmanager_v4_is_read_whole():
    n = parse_notification(AM)
    assert (n.sender, n.status, n.receiver, n.truncated) == ("alertmanager", "firing", "warroom", 0)
    (a,) = n.alerts
    assert a.name == "HighErrorRatio" and a.summary == "5xx ratio is 15%"
    assert a.starts_at == datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert a.ends_at is None  # Go's zero time: no end yet
    assert a.fingerprint == "c0ffee0123456789" and a.label("service") == "checkout"


def test_grafana_variant_is_read_and_times_are_utc():
    (a,) = parse_notification(GRAFANA).alerts
    assert parse_notification(GRAFANA).sender == "grafana"
    assert a.starts_at == datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    assert a.fingerprint == "57c6d9296de2ad39" and a.summary == "Disk"


@pytest.mark.parametrize("data, reason", [
    ([], "not a JSON object"),
    ({**AM, "version": "5"}, "unknown payload version '5'"),
    ({k: v for k, v in AM.items() if k != "version"}, "unknown payload version None"),
    ({k: v for k, v in GRAFANA.items() if k != "orgId"}, "without orgId"),
    ({**AM, "alerts": {}}, "alerts must be a list"),
    ({**AM, "truncatedAlerts": "3"}, "truncatedAlerts must be a whole number"),
    ({**AM, "status": "pending"}, 'status must be "firing" or "resolved"'),
    (payload(labels={"a": 1}), "alerts[0].labels must be an object of strings"),
    (payload(startsAt="yesterday"), "alerts[0].startsAt is not an RFC 3339 time"),
    (payload(startsAt=None), "alerts[0].startsAt is missing"),
    (payload(fingerprint="a:b"), "alerts[0].fingerprint is not a fingerprint"),
    ({**AM, "alerts": [1]}, "alerts[0] is not an object"),
])
def test_bad_shapes_are_refused_with_one_line(data, reason):
    with pytest.raises(PayloadError) as exc:
        parse_notification(data)
    assert reason in str(exc.value) and "\n" not in str(exc.value)


def test_hostile_version_is_shown_short_and_visible():
    with pytest.raises(PayloadError) as exc:
        parse_notification({**AM, "version": "\x1b[2J" + "x" * 500})
    assert "\x1b" not in str(exc.value) and len(str(exc.value)) < 120


def test_missing_fingerprint_is_the_labels_hash_stable_across_deliveries():
    data = payload()
    del data["alerts"][0]["fingerprint"]
    assert parse_notification(data).alerts[0].fingerprint == parse_notification(copy.deepcopy(data)).alerts[0].fingerprint


@pytest.mark.parametrize("text, labels, matches", [
    ('service="checkout"', {"service": "checkout"}, True),
    ('service="checkout"', {"service": "checkout-2"}, False),
    ('service!=checkout', {}, True),
    ('team=~"pay.*"', {"team": "payments"}, True),
    ('team=~"pay"', {"team": "payments"}, False),  # whole value, as Alertmanager
    ('team!~"pay.*"', {"team": "infra"}, True),
    ('msg="a \\"quoted\\" b"', {"msg": 'a "quoted" b'}, True),
])
def test_matchers_like_alertmanager(text, labels, matches):
    assert parse_matcher(text).matches(labels) is matches


@pytest.mark.parametrize("text", ["service", "=x", 'a=~"("', "1a=b", 5])
def test_bad_matchers_are_refused(text):
    with pytest.raises(RoutingError):
        parse_matcher(text)


def test_default_route_is_the_alerts_service_label_and_drills_never_get_alerts():
    (a,) = parse_notification(AM).alerts
    open_ = [incident(1, ["search"]), incident(2, ["checkout"]), incident(3, ["checkout"], drill=True)]
    assert decide(a, Routing(), open_, None).incidents == (2,)


def test_first_matching_route_wins_and_active_route():
    (a,) = parse_notification(AM).alerts
    routing = Routing(routes=(Route((parse_matcher('team="x"'),), service="search"),
                              Route((parse_matcher('severity="critical"'),), active=True)))
    assert decide(a, routing, [incident(1, ["search"]), incident(4)], 4).incidents == (4,)


def test_unmatched_firing_nothing_notice_or_declare_and_resolved_never_declares():
    (a,) = parse_notification(AM).alerts
    open_ = [incident(1, ["search"]), incident(5, ["x"], drill=True)]
    assert decide(a, Routing(), open_, 1).action == "ignore"
    notice = decide(a, Routing(unmatched="notice"), open_, 1)
    assert (notice.action, notice.incidents) == ("notice", (1,))
    assert decide(a, Routing(unmatched="declare"), open_, 1).action == "declare"
    (r,) = parse_notification(payload(status="resolved", endsAt="2026-03-01T10:05:00Z")).alerts
    assert decide(r, Routing(unmatched="declare"), open_, 1).action == "ignore"


def test_resolution_goes_where_the_firing_went():
    (r,) = parse_notification(payload(status="resolved", endsAt="2026-03-01T10:05:00Z")).alerts
    assert decide(r, Routing(), [incident(7)], None, attached=[7]).incidents == (7,)


def test_severity_mapped_from_label():
    policy = preset("sev")
    (a,) = parse_notification(AM).alerts
    assert severity_for(a, Routing(), policy) == "SEV-1"
    (w,) = parse_notification(payload(labels={"alertname": "A", "severity": "Warning"})).alerts
    assert severity_for(w, Routing(), policy) == policy.default_level.key
    assert severity_for(w, Routing(severity_map=(("warning", "sev3"),)), policy) == "SEV-3"


def test_once_only_key_is_fingerprint_status_and_start():
    (a,) = parse_notification(AM).alerts
    (again,) = parse_notification(copy.deepcopy(AM)).alerts
    (resolved,) = parse_notification(payload(status="resolved", endsAt="2026-03-01T10:05:00Z")).alerts
    (refired,) = parse_notification(payload(startsAt="2026-03-01T11:00:00Z")).alerts
    assert entry_key(a) == entry_key(again) == "alert:c0ffee0123456789:firing:2026-03-01T10:00:00Z"
    assert len({entry_key(a), entry_key(resolved), entry_key(refired)}) == 3
    parts = parse_key(entry_key(resolved))
    assert (parts.fingerprint, parts.status) == ("c0ffee0123456789", "resolved")
    assert parse_key("sla:respond") is None


def test_entry_text_is_summary_labels_and_link_made_harmless():
    (a,) = parse_notification(AM).alerts
    assert entry_text(a) == ("Alert firing: HighErrorRatio — 5xx ratio is 15% [severity=critical service=checkout] "
                             "http://prom:9090/graph?g0.expr=x")
    (h,) = parse_notification(payload(annotations={"summary": "ok\x1b[2J\nrm -rf\u202e" + "y" * 2000})).alerts
    text = entry_text(h)
    assert "\x1b" not in text and "\n" not in text and "\u202e" not in text and len(text) <= 600
    assert "␛[2J" in text and "⏎" in text
    assert "\x1b" not in incident_title(h) and len(incident_title(h)) < 160


def test_entry_of_resolved_alert_is_at_its_end_never_in_the_future():
    from warroom.domain.alert_routing import entry_at

    (r,) = parse_notification(payload(status="resolved", endsAt="2026-03-01T10:05:00Z")).alerts
    assert entry_at(r, T0 + timedelta(hours=1)) == T0 + timedelta(minutes=5)
    assert entry_at(r, T0 + timedelta(minutes=1)) == T0 + timedelta(minutes=1)

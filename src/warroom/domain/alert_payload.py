"""Alertmanager's webhook payload (version 4) and Grafana's variant, read into typed notifications.

Both senders post the same shape: ``status``, ``alerts[]`` (``status``, ``labels``,
``annotations``, ``startsAt``, ``endsAt``, ``generatorURL``, ``fingerprint``), ``groupKey``,
``truncatedAlerts``. Grafana says ``version: "1"`` and adds ``orgId``, ``title``, ``message`` and,
per alert, ``silenceURL``/``dashboardURL``/``values``. Anything else — another version, a field of
the wrong type, a time that is not RFC 3339 — is refused whole with a one-line reason
(:class:`PayloadError`): a receiver must write nothing for a payload it half understands.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from warroom.domain.text import one_line
from warroom.domain.times import TimeParseError, parse_instant

#: The versions understood, by sender.
VERSIONS = {"4": "alertmanager", "1": "grafana"}
#: At most this many alerts in one notification (Alertmanager's ``max_alerts`` is 0: unlimited,
#: but a group of thousands is a mistake better refused than written).
MAX_ALERTS = 1000
_ZERO_YEAR = 1  # Go's zero time, "0001-01-01T00:00:00Z": an alert with no end yet


class PayloadError(ValueError):
    """A payload that is not a notification warroom understands (one line, safe to show)."""


@dataclass(frozen=True)
class Alert:
    status: str  # "firing" or "resolved"
    labels: tuple[tuple[str, str], ...]  # sorted by name
    annotations: tuple[tuple[str, str], ...]
    starts_at: datetime
    ends_at: datetime | None  # None: still firing, no end known
    generator_url: str
    fingerprint: str

    def label(self, name: str, default: str = "") -> str:
        return dict(self.labels).get(name, default)

    def annotation(self, name: str, default: str = "") -> str:
        return dict(self.annotations).get(name, default)

    @property
    def name(self) -> str:
        return self.label("alertname", "(no alertname)")

    @property
    def summary(self) -> str:
        """What a person reads first: the summary annotation, else the description, else the name."""
        return self.annotation("summary") or self.annotation("description") or self.name


@dataclass(frozen=True)
class Notification:
    sender: str  # "alertmanager" or "grafana"
    status: str
    receiver: str
    group_key: str
    truncated: int
    alerts: tuple[Alert, ...]
    external_url: str = ""


def parse_notification(data: Any) -> Notification:
    """The notification ``data`` (decoded JSON) describes; PayloadError (one line) if it is not one."""
    if not isinstance(data, Mapping):
        raise PayloadError("the payload is not a JSON object")
    version = data.get("version")
    if version not in VERSIONS:
        raise PayloadError(f"unknown payload version {_short(version)} (Alertmanager sends \"4\", Grafana \"1\")")
    sender = VERSIONS[version]
    if sender == "grafana" and "orgId" not in data:
        raise PayloadError('version "1" without orgId: not a Grafana payload')
    raw_alerts = data.get("alerts")
    if not isinstance(raw_alerts, list):
        raise PayloadError("alerts must be a list")
    if len(raw_alerts) > MAX_ALERTS:
        raise PayloadError(f"{len(raw_alerts)} alerts in one notification (at most {MAX_ALERTS})")
    truncated = data.get("truncatedAlerts", 0)
    if isinstance(truncated, bool) or not isinstance(truncated, int) or truncated < 0:
        raise PayloadError("truncatedAlerts must be a whole number")
    alerts = tuple(_alert(a, i) for i, a in enumerate(raw_alerts))
    return Notification(
        sender=sender,
        status=_status(data.get("status"), "status"),
        receiver=_text(data, "receiver", "receiver"),
        group_key=_text(data, "groupKey", "groupKey"),
        truncated=truncated,
        alerts=alerts,
        external_url=_text(data, "externalURL", "externalURL"),
    )


def _alert(raw: Any, i: int) -> Alert:
    where = f"alerts[{i}]"
    if not isinstance(raw, Mapping):
        raise PayloadError(f"{where} is not an object")
    labels = _pairs(raw.get("labels"), f"{where}.labels", required=True)
    annotations = _pairs(raw.get("annotations", {}), f"{where}.annotations", required=False)
    starts = _time(raw.get("startsAt"), f"{where}.startsAt")
    if starts is None:
        raise PayloadError(f"{where}.startsAt is missing")
    ends = _time(raw.get("endsAt"), f"{where}.endsAt")
    fingerprint = _text(raw, "fingerprint", f"{where}.fingerprint")
    if not fingerprint:  # older senders: the labels' own hash, stable across deliveries
        fingerprint = hashlib.sha256(repr(labels).encode()).hexdigest()[:16]
    if len(fingerprint) > 128 or not fingerprint.isprintable() or ":" in fingerprint:
        raise PayloadError(f"{where}.fingerprint is not a fingerprint")
    return Alert(_status(raw.get("status"), f"{where}.status"), labels, annotations, starts, ends,
                 _text(raw, "generatorURL", f"{where}.generatorURL"), fingerprint)


def _status(value: Any, where: str) -> str:
    if value not in ("firing", "resolved"):
        raise PayloadError(f"{where} must be \"firing\" or \"resolved\", got {_short(value)}")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{where} must be a string, got {_short(value)}")
    return value


def _pairs(value: Any, where: str, *, required: bool) -> tuple[tuple[str, str], ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise PayloadError(f"{where} must be an object of strings")
    return tuple(sorted(value.items()))


def _time(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{where} must be an RFC 3339 time, got {_short(value)}")
    if value.startswith("0001-01-01T00:00:00"):
        return None
    try:
        return parse_instant(value)
    except TimeParseError:
        raise PayloadError(f"{where} is not an RFC 3339 time: {_short(value)}") from None


def _short(value: Any) -> str:
    text = one_line(repr(value))
    return text if len(text) <= 40 else text[:39] + "…"

"""Which open incident an alert belongs to, what an unrouted firing alert does, and the entries
it becomes — written once each.

Routes are tried in order; the first whose label matchers all hold names the incidents: those
affecting a fixed ``service``, those listing the alert's own value of ``service_label`` among
their services, or the ``active`` one. With no routes configured, one route applies: an alert
goes to the open incidents that list its ``service`` label. An alert already attached somewhere
(its firing entry is in an incident) keeps going there, so its resolution lands beside it.

An unrouted firing alert does ``nothing`` (the default), writes a ``notice`` in every open war
room, or ``declare``s an incident: its severity mapped from a label (``critical`` → the policy's
first level), detected at the alert's ``startsAt``.

Once only: an entry's key is the alert's fingerprint, status and ``startsAt``; the store keeps
keys unique per incident, so a duplicate or retried delivery writes nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from warroom.domain.alert_payload import Alert
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.text import one_line, visible
from warroom.domain.times import iso_seconds

UNMATCHED = ("nothing", "notice", "declare")
#: Labels worth a glance in an entry and in the alerts view, in this order, when present.
SHOWN_LABELS = ("severity", "service", "team", "namespace", "job", "instance")
KEY_PREFIX = "alert:"
NOTICE_PREFIX = "alert-notice:"
#: An entry's text is cut at this many characters (a summary template gone wrong is no essay).
MAX_TEXT = 600
_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$')


class RoutingError(ValueError):
    """A route or matcher in the config that cannot be used (one line)."""


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # =, !=, =~, !~  (Alertmanager's matcher syntax; regexes match the whole value)
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        have = labels.get(self.name, "")
        if self.op in ("=", "!="):
            return (have == self.value) == (self.op == "=")
        return bool(re.fullmatch(self.value, have)) == (self.op == "=~")

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


def parse_matcher(text: str) -> Matcher:
    """``service="checkout"``, ``team=~"pay.*"``, ``env!=staging`` — as Alertmanager writes them."""
    m = _MATCHER.match(text) if isinstance(text, str) else None
    if m is None:
        raise RoutingError(f"not a label matcher: {one_line(repr(text))[:60]} (like service=\"checkout\")")
    name, op, quoted, bare = m.groups()
    value = bare if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
    if "~" in op:
        try:
            re.compile(value)
        except re.error as exc:
            raise RoutingError(f"{name}{op}: not a regular expression: {exc}") from None
    return Matcher(name, op, value)


@dataclass(frozen=True)
class Route:
    matchers: tuple[Matcher, ...] = ()
    service: str | None = None  # the open incidents affecting this service
    service_label: str | None = None  # the open incidents listing the alert's value of this label
    active: bool = False  # the active incident

    def matches(self, alert: Alert) -> bool:
        labels = dict(alert.labels)
        return all(m.matches(labels) for m in self.matchers)

    def targets(self, alert: Alert, open_incidents: Iterable[Incident], active_id: int | None) -> list[int]:
        if self.active:
            return [i.id for i in open_incidents if i.id == active_id]
        wanted = self.service if self.service is not None else alert.label(self.service_label or "service")
        if not wanted:
            return []
        return [i.id for i in open_incidents if wanted in i.services]


DEFAULT_ROUTES = (Route(service_label="service"),)


@dataclass(frozen=True)
class Routing:
    routes: tuple[Route, ...] = DEFAULT_ROUTES
    unmatched: str = "nothing"  # nothing | notice | declare
    severity_label: str = "severity"
    #: label value → severity level (lower-case values); unlisted values get the policy's default level
    severity_map: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Decision:
    """What one alert does: attach to ``incidents``, declare a new one, post a notice, or nothing."""

    action: str  # attach | declare | notice | ignore
    incidents: tuple[int, ...] = ()


def decide(alert: Alert, routing: Routing, open_incidents: list[Incident], active_id: int | None,
           attached: Iterable[int] = ()) -> Decision:
    """``attached``: the incidents already holding this alert's firing entry (same ``startsAt``)."""
    live = [i for i in open_incidents if not i.drill]
    routed: list[int] = []
    for route in routing.routes:
        if route.matches(alert):
            routed = route.targets(alert, live, active_id)
            break
    targets = tuple(dict.fromkeys([*attached, *routed]))
    if targets:
        return Decision("attach", targets)
    if alert.status != "firing" or routing.unmatched == "nothing":
        return Decision("ignore")
    if routing.unmatched == "notice":
        return Decision("notice", tuple(i.id for i in live)) if live else Decision("ignore")
    return Decision("declare")


def severity_for(alert: Alert, routing: Routing, policy: Policy) -> str:
    """The level an incident declared from ``alert`` gets: the configured map, else ``critical`` →
    the policy's first level, else the policy's default level."""
    value = alert.label(routing.severity_label).strip().lower()
    mapped = dict(routing.severity_map)
    if value in mapped:
        return policy.level(mapped[value]).key
    if value == "critical":
        return policy.levels[0].key
    return policy.default_level.key


def entry_key(alert: Alert) -> str:
    """Once-only key of the entry ``alert`` becomes: fingerprint, status and ``startsAt``."""
    return f"{KEY_PREFIX}{alert.fingerprint}:{alert.status}:{iso_seconds(alert.starts_at)}"


def firing_key(alert: Alert) -> str:
    return f"{KEY_PREFIX}{alert.fingerprint}:firing:{iso_seconds(alert.starts_at)}"


def notice_key(alert: Alert) -> str:
    return f"{NOTICE_PREFIX}{alert.fingerprint}:{iso_seconds(alert.starts_at)}"


@dataclass(frozen=True)
class KeyParts:
    fingerprint: str
    status: str
    starts_at: str


def parse_key(key: str | None) -> KeyParts | None:
    """The parts of an alert entry's key (None for any other entry)."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    parts = key[len(KEY_PREFIX):].split(":", 2)
    if len(parts) != 3 or parts[1] not in ("firing", "resolved"):
        return None
    return KeyParts(*parts)


def entry_at(alert: Alert, now: datetime) -> datetime:
    """When the entry happened: the alert's start, or its end once resolved (never in the future)."""
    at = alert.starts_at if alert.status == "firing" else (alert.ends_at or now)
    return min(at, now)


def shown_labels(alert: Alert) -> str:
    return " ".join(f"{n}={alert.label(n)}" for n in SHOWN_LABELS if alert.label(n))


def entry_text(alert: Alert, *, notice: bool = False) -> str:
    """``Alert firing: Name — summary [severity=critical service=api] <generator link>``, one
    line, escapes made visible (the sender's text is shown, never obeyed)."""
    head = "Unrouted alert firing" if notice else f"Alert {alert.status}"
    summary = alert.summary if alert.summary != alert.name else ""
    parts = [f"{head}: {alert.name}" + (f" — {summary}" if summary else "")]
    labels = shown_labels(alert)
    if labels:
        parts.append(f"[{labels}]")
    if alert.generator_url:
        parts.append(alert.generator_url)
    text = one_line(visible(" ".join(parts)))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def incident_title(alert: Alert) -> str:
    text = one_line(visible(alert.summary if alert.summary != alert.name else alert.name))
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{alert.name}: {text}" if text != alert.name else text

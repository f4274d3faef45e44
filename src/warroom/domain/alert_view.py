"""The alerts of an incident, as the alerts view shows them, and the silences it makes.

An incident's alerts are read from its own timeline (the receiver's once-only keys name each
alert's fingerprint, status and start), enriched, when Alertmanager's API v2 is configured, with
what Alertmanager knows now: the labels, and whether a silence holds the alert. Silences match
the alert's labels exactly (every label an equality matcher): the silence quiets this alert and
nothing broader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from warroom.domain.alert_routing import SHOWN_LABELS, parse_key
from warroom.domain.text import one_line
from warroom.domain.timeline import Entry
from warroom.domain.times import TimeParseError, format_duration, iso_seconds, parse_duration, parse_instant

#: The longest silence the view creates (a forgotten silence hides the next incident).
MAX_SILENCE = timedelta(days=7)


class AlertmanagerDataError(ValueError):
    """Alertmanager answered something that is not what API v2 documents (one line)."""


@dataclass(frozen=True)
class AlertState:
    """One alert as Alertmanager's ``GET /api/v2/alerts`` has it now."""

    fingerprint: str
    labels: tuple[tuple[str, str], ...]
    starts_at: datetime
    state: str  # active | suppressed | unprocessed
    silenced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertRow:
    """One line of the alerts view."""

    fingerprint: str
    name: str
    summary: str  # the entry's text after "Alert firing: "
    status: str  # firing | resolved
    since: datetime  # when it started firing, or when it resolved
    labels: tuple[tuple[str, str], ...] = ()  # from Alertmanager, when known
    silenced_by: tuple[str, ...] = ()
    known: bool = False  # Alertmanager listed it

    def shown_labels(self) -> str:
        have = dict(self.labels)
        return " ".join(f"{n}={have[n]}" for n in SHOWN_LABELS if have.get(n))


def parse_alert_states(data: Any) -> list[AlertState]:
    """``GET /api/v2/alerts``'s body; AlertmanagerDataError for anything else."""
    if not isinstance(data, list):
        raise AlertmanagerDataError("/api/v2/alerts did not answer a list")
    states = []
    for item in data:
        try:
            labels = item["labels"]
            status = item.get("status") or {}
            if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
                raise TypeError
            states.append(AlertState(str(item["fingerprint"]), tuple(sorted(labels.items())),
                                     parse_instant(item["startsAt"]), str(status.get("state", "")),
                                     tuple(str(s) for s in status.get("silencedBy") or ())))
        except (KeyError, TypeError, AttributeError, TimeParseError):
            raise AlertmanagerDataError("/api/v2/alerts: an alert without fingerprint, labels or startsAt") from None
    return states


def incident_alerts(entries: Iterable[Entry], states: Iterable[AlertState] | None = None) -> list[AlertRow]:
    """The incident's alerts from its timeline, each as its latest entry says (firing ones first,
    newest first), with Alertmanager's labels and silences when ``states`` is given."""
    latest: dict[str, AlertRow] = {}
    for entry in sorted(entries, key=lambda e: (e.at, e.id)):
        parts = parse_key(entry.key)
        if parts is None or entry.redacted:
            continue
        head, _, rest = entry.text.partition(": ")
        name, _, summary = rest.partition(" — ")
        latest[parts.fingerprint] = AlertRow(parts.fingerprint, name, summary or name, parts.status, entry.at)
    by_fp = {s.fingerprint: s for s in states or ()}
    rows = []
    for row in latest.values():
        state = by_fp.get(row.fingerprint)
        if state is not None:
            row = AlertRow(row.fingerprint, row.name, row.summary, row.status, row.since, state.labels,
                           state.silenced_by, True)
        rows.append(row)
    return sorted(rows, key=lambda r: (r.status != "firing", -r.since.timestamp()))


def silence_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d`` — at most a week; TimeParseError (one line) otherwise."""
    span = parse_duration(text.strip(), maximum=MAX_SILENCE)
    if span <= timedelta(0):
        raise TimeParseError("a silence needs a duration above zero, e.g. 1h")
    return span


def silence_body(labels: Iterable[tuple[str, str]], *, now: datetime, duration: timedelta, created_by: str,
                 comment: str) -> dict[str, Any]:
    """``POST /api/v2/silences``'s body: every label of the alert matched exactly."""
    matchers = [{"name": k, "value": v, "isRegex": False, "isEqual": True} for k, v in labels]
    if not matchers:
        raise ValueError("an alert without labels cannot be silenced")
    return {"matchers": matchers, "startsAt": iso_seconds(now), "endsAt": iso_seconds(now + duration),
            "createdBy": created_by or "warroom", "comment": comment.strip() or "warroom"}


def default_comment(ref: str, title: str) -> str:
    return one_line(f"{ref} {title}")


def span_text(span: timedelta) -> str:
    """``1h``, ``90m``, ``2d`` as typed, for a silence's length."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return format_duration(span)


def silenced_text(row: AlertRow, silence_id: str, duration: timedelta, comment: str) -> str:
    return one_line(f"Silenced alert {row.name} for {span_text(duration)} "
                    f"(silence {silence_id}): {comment}")


def expired_text(row: AlertRow, silence_id: str) -> str:
    return one_line(f"Expired silence {silence_id} of alert {row.name}")

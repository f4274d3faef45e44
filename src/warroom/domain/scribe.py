"""The scribe's line grammar: what one line typed in the timeline editor means.

    text                     a note, now
    @10:15 text              backdated (HH:MM[:SS] local, or ISO 8601)
    /d text                  decision          /n note     /c comms (a status update sent)
    /a @alice text by 14:00  action item with owner and due time (both optional)
    /e text                  escalation        /s mitigating   status change
    /ack                     acknowledge       /sev 1          severity change
    /ic Alice  /tl Bob  /cl Carol  /scribe Sam                 roles
    //text                   a note that starts with a literal "/"

A time may follow any command: ``/d @10:15 roll back``, ``/s @10:40 monitoring``, ``/ack @10:02``.
Parsing is pure; the UI executes the resulting command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from warroom.domain.backdate import check_backdate
from warroom.domain.incident import Incident, IncidentError, parse_role, parse_status
from warroom.domain.times import TimeParseError, parse_when

ENTRY_COMMANDS = {"n": "note", "note": "note", "d": "decision", "decision": "decision", "a": "action",
                  "action": "action", "c": "comms", "comms": "comms", "e": "escalation", "escalation": "escalation"}
ROLE_COMMANDS = {"ic": "commander", "tl": "tech_lead", "cl": "comms_lead", "scribe": "scribe"}
HELP = "/d decision · /a @owner action by HH:MM · /c comms · /e escalation · /s STATUS · /ack · /sev N · /ic NAME"

_TIME_PREFIX = re.compile(r"^@(\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)(?:\s+|$)")
_OWNER = re.compile(r"(?:^|\s)@([A-Za-z][\w.\-]*)")
_DUE = re.compile(r"\s+by\s+(\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)\s*$", re.IGNORECASE)


class ScribeError(ValueError):
    """The line cannot be understood; the message tells the scribe how to fix it. The line is kept."""


@dataclass(frozen=True)
class Line:
    """What a typed line asks for. ``action`` says which of the other fields matter."""

    action: str  # "entry" | "status" | "ack" | "severity" | "role"
    at: datetime
    backdated: bool = False
    kind: str = "note"
    text: str = ""
    owner: str = ""
    due: datetime | None = None
    status: str = ""
    level: str = ""
    role: str = ""
    name: str = ""


def parse_line(line: str, now: datetime, local: tzinfo, incident: Incident | None = None) -> Line:
    """What ``line`` asks for; a ``@HH:MM`` that lands before ``incident`` began is refused."""
    raw = line.strip()
    if not raw:
        raise ScribeError("nothing to log")
    if raw.startswith("//"):
        return Line("entry", now, False, "note", raw[1:])
    if not raw.startswith("/"):
        at, rest, back = _time_prefix(raw, now, local, incident)
        return Line("entry", at, back, "note", _need_text(rest))
    command, _, rest = raw[1:].partition(" ")
    command = command.lower()
    at, rest, back = _time_prefix(rest.strip(), now, local, incident)
    if command in ENTRY_COMMANDS:
        kind = ENTRY_COMMANDS[command]
        if kind == "action":
            return _action(rest, at, back, now, local)
        return Line("entry", at, back, kind, _need_text(rest))
    if command in ("s", "status"):
        try:
            return Line("status", at, back, status=parse_status(_need_text(rest, "a status, e.g. /s mitigating")))
        except IncidentError as exc:
            raise ScribeError(str(exc)) from None
    if command in ("ack", "acknowledge"):
        if rest:
            raise ScribeError("/ack takes no text (a time is fine: /ack @10:02)")
        return Line("ack", at, back)
    if command in ("sev", "severity"):
        return Line("severity", at, back, level=_need_text(rest, "a level, e.g. /sev 1"))
    if command in ROLE_COMMANDS or command in ("role", "assign"):
        if command in ("role", "assign"):
            role_text, _, rest = rest.partition(" ")
            try:
                role = parse_role(role_text)
            except IncidentError as exc:
                raise ScribeError(str(exc)) from None
        else:
            role = ROLE_COMMANDS[command]
        return Line("role", at, back, role=role, name=_need_text(rest, "a name, e.g. /ic Alice"))
    raise ScribeError(f"unknown command /{command} — {HELP} (// for a literal slash)")


def _time_prefix(text: str, now: datetime, local: tzinfo,
                 incident: Incident | None) -> tuple[datetime, str, bool]:
    m = _TIME_PREFIX.match(text)
    if not m:
        return now, text, False
    try:
        at = parse_when(m[1], now, local)
        if incident is not None:
            check_backdate(m[1], at, incident, local, flag="@")
    except TimeParseError as exc:
        raise ScribeError(str(exc)) from None
    return at, text[m.end():].strip(), True


def _need_text(text: str, what: str = "some text") -> str:
    if not text.strip():
        raise ScribeError(f"needs {what}")
    return text.strip()


def _action(rest: str, at: datetime, back: bool, now: datetime, local: tzinfo) -> Line:
    due = None
    m = _DUE.search(rest)
    if m:
        due = parse_due(m[1], now, local)
        rest = rest[: m.start()]
    owner = ""
    o = _OWNER.search(rest)
    if o:
        owner = o[1]
        rest = (rest[: o.start()] + rest[o.end():]).strip()
    return Line("entry", at, back, "action", _need_text(rest, "what to do, e.g. /a @alice restart the pool by 14:00"),
                owner=owner, due=due)


def parse_due(text: str, now: datetime, local: tzinfo) -> datetime:
    """A due time: ``HH:MM`` is its next occurrence (today or tomorrow); ISO 8601 as given."""
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        try:
            candidate = parse_when(text, now, local, allow_future=True)
        except TimeParseError as exc:
            raise ScribeError(str(exc)) from None
        while candidate <= now:
            candidate += timedelta(days=1)
        while candidate - now > timedelta(days=1):
            candidate -= timedelta(days=1)
        return candidate
    try:
        return parse_when(text, now, local, allow_future=True)
    except TimeParseError as exc:
        raise ScribeError(str(exc)) from None

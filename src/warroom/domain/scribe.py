"""The scribe's line grammar: what one line typed in the timeline editor means.

    text                     a note, now
    @10:15 text              backdated (HH:MM[:SS] local, or ISO 8601)
    /d text                  decision          /n note     /c comms (a status update sent)
    /a @alice [prevent] [P2] text by fri #JIRA-123
                             action item: owner, type (mitigate/prevent/process), priority
                             (P0–P3), due (HH:MM, a weekday, today/tomorrow, a date, ISO 8601)
                             and tracker reference — each optional (``domain.actions``)
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

from warroom.domain.actions import ActionError, Tags, canonical, due_day, fields, typed_tags
from warroom.domain.backdate import check_backdate
from warroom.domain.incident import Incident, IncidentError, parse_role, parse_status
from warroom.domain.timeline import Entry
from warroom.domain.times import TimeParseError, parse_when

ENTRY_COMMANDS = {"n": "note", "note": "note", "d": "decision", "decision": "decision", "a": "action",
                  "action": "action", "c": "comms", "comms": "comms", "e": "escalation", "escalation": "escalation"}
ROLE_COMMANDS = {"ic": "commander", "tl": "tech_lead", "cl": "comms_lead", "scribe": "scribe"}
HELP = "/d decision · /a @owner action by HH:MM · /c comms · /e escalation · /s STATUS · /ack · /sev N · /ic NAME"

_TIME_PREFIX = re.compile(r"^@(\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)(?:\s+|$)")
_OWNER = re.compile(r"(?:^|\s)@([A-Za-z][\w.\-]*)")
_DUE = re.compile(r"\s+by\s+(\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?|today|tomorrow|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?"
                  r"|sat(?:urday)?|sun(?:day)?)\s*$",
                  re.IGNORECASE)
_REF = re.compile(r"\s+#([A-Za-z0-9][A-Za-z0-9_.:/\-]*)\s*$")


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


def parse_action(text: str, at: datetime, now: datetime, local: tzinfo) -> Line:
    """The action of ``warroom log --kind action TEXT`` (the same grammar as ``/a TEXT``)."""
    return _action(text, at, at != now, now, local)


def _action(rest: str, at: datetime, back: bool, now: datetime, local: tzinfo) -> Line:
    """``@owner [type] [Pn] text by WHEN #REF``: the owner anywhere, the tags first, the due time and
    the tracker reference last (in either order); the text is stored as ``actions.canonical``."""
    due, tracker, rest = None, "", " " + rest
    while True:
        if (m := _DUE.search(rest)) and due is None:
            due = parse_due(m[1], now, local)
        elif (m := _REF.search(rest)) and not tracker:
            tracker = m[1]
        else:
            break
        rest = rest[: m.start()]
    owner = ""
    o = _OWNER.search(rest)
    if o:
        owner = o[1]
        rest = (rest[: o.start()] + " " + rest[o.end():]).strip()
    try:
        tags = typed_tags(rest)
    except ActionError as exc:
        raise ScribeError(str(exc)) from None
    body = _need_text(tags.body, "what to do, e.g. /a @alice [prevent] [P2] add a pool alert by fri #JIRA-123")
    return Line("entry", at, back, "action", canonical(Tags(tags.type, tags.priority, body, tracker)),
                owner=owner, due=due)


def parse_due(text: str, now: datetime, local: tzinfo) -> datetime:
    """A due time: ``HH:MM`` is its next occurrence (today or tomorrow); a weekday, ``today``,
    ``tomorrow`` or a date is that day at ``actions.DUE_HOUR`` local; ISO 8601 as given."""
    if not re.match(r"\d", text):
        try:
            day = due_day(text, now, local)
        except TimeParseError as exc:
            raise ScribeError(str(exc)) from None
        if day is None:
            raise ScribeError(f"not a due time: {text!r} (HH:MM, a weekday, today, tomorrow, or a date)")
        return day
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return due_day(text, now, local)
        except TimeParseError as exc:
            raise ScribeError(str(exc)) from None
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


def line_text(entry: Entry, local: tzinfo, now: datetime) -> str:
    """The action as a line the grammar reads back (``@bob [prevent] text by 14:30 #REF``), for an
    edit: the owner, due time and tags are edited with the text, not lost from it. A due time
    the next ``HH:MM`` would not give back is written in full (ISO 8601, local)."""
    tags = fields(entry.text)
    parts = [f"@{entry.owner}"] if entry.owner else []
    parts.append(canonical(Tags(tags.type, tags.priority, tags.body)))
    if entry.due is not None:
        here = entry.due.astimezone(local)
        short = f"{here:%H:%M}"
        try:
            same = here.second == 0 and parse_due(short, now, local) == entry.due
        except ValueError:
            same = False
        parts.append(f"by {short if same else here.strftime('%Y-%m-%dT%H:%M:%S')}")
    if tags.tracker:
        parts.append(f"#{tags.tracker}")
    return " ".join(parts)

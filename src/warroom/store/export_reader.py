"""A JSON export read back (``warroom import``): the file ``warroom export --format json`` wrote
(``domain.report.to_json_data``), checked field by field and turned into the incident a store
writes whole (``store.whole``).

The file comes from outside: anything that is not exactly an export — not UTF-8, not JSON, a
field of the wrong type, an unknown kind, a time that is no time, milestones out of order — is
refused with one line that says where (``entries[3].at: not a time: 'noon'``), before anything is
written. What an export does not carry is not invented: a redacted entry's text and revisions (an
export never has them) stay absent, and there are no readings, keys or client ids.

The incident gets back the creation time its first store gave it: an incident's first entry is
logged at the instant it is created, so the earliest ``logged_at`` is it. With the export's id that
makes its origin key: importing the same export twice writes once, and so does importing an export
made in the incident's first database where ``warroom copy`` already brought it (an export made
from a copy has the copy's id, and is imported as another incident).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from warroom.domain.incident import MILESTONES, ROLES, STATUSES, IncidentError, check_milestone_order
from warroom.domain.policy import PolicyError, policy_from_dict
from warroom.domain.timeline import KINDS
from warroom.domain.times import TimeParseError, iso_utc, parse_instant
from warroom.store.rows import milestones_json
from warroom.store.whole import WholeIncident, origin_key

FORMAT, VERSION = "warroom-export", 1
#: The largest id either engine can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class BadExport(ValueError):
    """The file is not a warroom JSON export; the message (one line) says where and why."""


def read_export(raw: bytes) -> WholeIncident:
    """The incident of an export file's bytes; ``BadExport`` if it is not one."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadExport(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadExport(f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise BadExport("not an export: nested too deeply") from None
    except ValueError as exc:  # a number of 5,000 digits, NaN
        raise BadExport(f"not an export: {exc}") from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadExport("text that is not valid Unicode (a lone surrogate such as \\ud800)") from None
    return whole_from_export(data)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number an export holds")


def whole_from_export(data: Any) -> WholeIncident:
    """The incident of a parsed export (see the module's docstring)."""
    doc = _Fields(data, "the file")
    if doc.get("format", str, "") != FORMAT:
        raise BadExport(f"not a warroom export (its format is not {FORMAT!r}; "
                        "`warroom export --format json` makes one)")
    if doc.get("version", int) != VERSION:
        raise BadExport(f"export version {data.get('version')!r} is not one this warroom reads ({VERSION})")
    fields = _Fields(doc.get("incident", dict), "incident")
    incident_id = fields.ident("id")
    snapshot, level = fields.get("policy", dict), fields.get("severity", str)
    try:
        policy = policy_from_dict(snapshot, where="incident.policy")
        severity = policy.level(level).key
    except PolicyError as exc:
        raise BadExport(str(exc)) from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a shape policy_from_dict did not foresee
        raise BadExport(f"incident.policy: {exc}") from None
    status = fields.get("status", str)
    if status not in STATUSES:
        raise BadExport(f"incident.status: unknown status {status!r}")
    title = fields.get("title", str)
    if not title.strip():
        raise BadExport("incident.title: an incident needs a title")
    milestones = _milestones(fields.get("milestones", dict))
    roles = fields.get("roles", dict)
    for role, name in roles.items():
        if role not in ROLES or not isinstance(name, str):
            raise BadExport(f"incident.roles.{role}: not a role with a name (roles: {', '.join(ROLES)})")
    services = fields.get("services", list)
    if not all(isinstance(s, str) for s in services):
        raise BadExport("incident.services: expected a list of names")
    entries, revisions = _entries(doc.get("entries", list))
    stamps = [e[2] for e in entries]
    created = min(stamps, default=iso_utc(milestones["declared"]))
    updated = max([created, *stamps, *(e[8] for e in entries if e[8]), *(r[6] for r in revisions)])
    row = (title, severity, status, json.dumps(policy.to_dict(), sort_keys=True), milestones_json(milestones),
           json.dumps(dict(roles), sort_keys=True), json.dumps(list(services)), fields.get("impact", str),
           fields.get("summary", str), int(fields.get("drill", bool)), created, updated)
    return WholeIncident(id=incident_id, origin=origin_key(created, incident_id), incident=row,
                         entries=tuple(entries), revisions=tuple(revisions), readings=())


def _milestones(raw: Mapping[str, Any]) -> dict:
    milestones = {}
    for name, value in raw.items():
        if name not in MILESTONES:
            raise BadExport(f"incident.milestones: unknown milestone {name!r} (milestones: {', '.join(MILESTONES)})")
        milestones[name] = _instant(value, f"incident.milestones.{name}")
    if "declared" not in milestones:
        raise BadExport("incident.milestones: every incident has a declared milestone; this one has none")
    for name, at in milestones.items():
        try:
            check_milestone_order(milestones, name, at)
        except IncidentError as exc:
            raise BadExport(f"incident.milestones: {exc}") from None
    return milestones


def _entries(raw: list) -> tuple[list[tuple], list[tuple]]:
    """Entry rows (``whole.ENTRY_COLUMNS``) and revision rows (``REVISION_COLUMNS``)."""
    entries, revisions, seen = [], [], set()
    for n, item in enumerate(raw):
        where = f"entries[{n}]"
        e = _Fields(item, where)
        entry_id = e.ident("id")
        if entry_id in seen:
            raise BadExport(f"{where}.id: entry {entry_id} is in the file twice")
        seen.add(entry_id)
        revision = e.get("revision", int)
        if revision < 1:
            raise BadExport(f"{where}.revision: expected 1 or more")
        redacted = e.get("redacted", dict, None)
        text = e.get("text", str, None)
        history = e.get("revisions", list)
        if redacted is None:
            if text is None:
                raise BadExport(f"{where}.text: an entry that is not redacted has a text")
            redaction = (None, "", "")
        else:
            if text is not None or history:
                raise BadExport(f"{where}: a redacted entry's text is never exported, and this file has it")
            r = _Fields(redacted, f"{where}.redacted")
            redaction = (iso_utc(_instant(r.get("at", str), f"{where}.redacted.at")), r.get("by", str),
                         r.get("reason", str))
        due = e.get("due", str, None)
        done = e.get("done", dict, None)  # absent from an export made before action items could be done
        if done is not None:
            d = _Fields(done, f"{where}.done")
            done = (iso_utc(_instant(d.get("at", str), f"{where}.done.at")), d.get("by", str))
        entries.append((
            entry_id, iso_utc(_instant(e.get("at", str), f"{where}.at")),
            iso_utc(_instant(e.get("logged_at", str), f"{where}.logged_at")), e.get("author", str),
            _kind(e.get("kind", str), f"{where}.kind"), "" if text is None else text, int(e.get("starred", bool)),
            revision, *redaction, e.get("owner", str, None) or "",
            None if due is None else iso_utc(_instant(due, f"{where}.due")), None, None,
            *(done or (None, "")),
        ))
        numbers = set()
        for m, old in enumerate(history):
            rwhere = f"{where}.revisions[{m}]"
            r = _Fields(old, rwhere)
            number = r.get("revision", int)
            if not 1 <= number < revision or number in numbers:
                raise BadExport(f"{rwhere}.revision: expected a number below the entry's {revision}, once")
            numbers.add(number)
            revisions.append((entry_id, number, iso_utc(_instant(r.get("at", str), f"{rwhere}.at")),
                              _kind(r.get("kind", str), f"{rwhere}.kind"), r.get("text", str), r.get("author", str),
                              iso_utc(_instant(r.get("replaced_at", str), f"{rwhere}.replaced_at")),
                              r.get("replaced_by", str)))
    return entries, revisions


def _kind(text: str, where: str) -> str:
    if text not in KINDS:
        raise BadExport(f"{where}: unknown kind {text!r} (kinds: {', '.join(KINDS)})")
    return text


def _instant(text: Any, where: str):
    try:
        return parse_instant(text)
    except TimeParseError as exc:
        raise BadExport(f"{where}: {exc}") from None


_MISSING = object()
_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", dict: "an object", list: "a list"}


class _Fields:
    """An object of the file, read field by field: the wrong type or a missing field is a BadExport
    naming the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise BadExport(f"{where}: expected an object")
        self.data, self.where = data, where

    def get(self, name: str, kind: type, default: Any = _MISSING) -> Any:
        value = self.data.get(name, _MISSING)
        if value is _MISSING or (value is None and default is None):
            if default is _MISSING:
                raise BadExport(f"{self._at(name)}: missing")
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise BadExport(f"{self._at(name)}: expected {_TYPE_NAMES[kind]}, got {_shown(value)}")
        return value

    def ident(self, name: str) -> int:
        value = self.get(name, int)
        if not 0 < value <= MAX_ID:
            raise BadExport(f"{self._at(name)}: not an id: {value}")
        return value

    def _at(self, name: str) -> str:
        return name if self.where == "the file" else f"{self.where}.{name}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"

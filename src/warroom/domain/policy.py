"""Severity policies: levels, their SLA targets, update cadence, escalation ladder, checklist.

The three bundled presets are transcribed from the runbooks (see ``POLICIES.md``); a user's
TOML policy file can define its own or override a preset level by level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, Literal, Mapping
from zoneinfo import ZoneInfoNotFoundError

from warroom.domain.business_hours import BusinessHours
from warroom.domain.patterns import Pattern
from warroom.domain.times import MAX_SPAN

#: SLA targets in the order an incident meets them.
TARGETS = ("acknowledge", "respond", "mitigate", "resolve")
#: What must still be true for an escalation step to fire.
ESCALATION_CONDITIONS = ("unacknowledged", "unidentified", "unresolved")

Unit = Literal["minutes", "business_minutes", "business_days"]


class PolicyError(ValueError):
    """A policy (file) is malformed; the message says where and what."""


@dataclass(frozen=True)
class Span:
    """A target duration: wall-clock minutes, or business minutes/days."""

    amount: int
    unit: Unit = "minutes"

    @property
    def business(self) -> bool:
        return self.unit != "minutes"

    def after(self, start: datetime, hours: BusinessHours) -> datetime:
        if self.unit == "minutes":
            return start + timedelta(minutes=self.amount)
        minutes = self.amount if self.unit == "business_minutes" else self.amount * hours.day_minutes
        return hours.add(start, minutes)

    def __str__(self) -> str:
        n = self.amount
        if self.unit == "business_days":
            return f"{n} business day{'s' if n != 1 else ''}"
        if self.unit == "business_minutes":
            if n % 60 == 0:
                return f"{n // 60} business hour{'s' if n != 60 else ''}"
            return f"{n} business min"
        if n % (7 * 1440) == 0:
            weeks = n // (7 * 1440)
            return f"{weeks} week{'s' if weeks != 1 else ''}"
        if n % 60 == 0:
            return f"{n // 60} h"
        return f"{n} min"

    def to_text(self) -> str:
        """The form ``parse_span`` reads back."""
        return {"minutes": f"{self.amount}m", "business_minutes": f"{self.amount} business minutes",
                "business_days": f"{self.amount} business day{'s' if self.amount != 1 else ''}"}[self.unit]


_SPAN = Pattern(
    r"^\s*(\d+)\s*(business\s+)?"
    r"(m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)\s*$",
    re.IGNORECASE,
)


def parse_span(text: str | int) -> Span:
    """Read ``"5m"``, ``"1 h"``, ``"8 business hours"``, ``"5 business days"``, ``"1 week"``, ``"daily"``.

    A bare integer means minutes.
    """
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise PolicyError(f"not a duration: {text!r}")
    if isinstance(text, int):
        if text <= 0:
            raise PolicyError(f"duration must be positive: {text}")
        return _bounded(Span(text), text)
    if text.strip().lower() == "daily":
        return Span(1440)
    if text.strip().lower() == "hourly":
        return Span(60)
    m = _SPAN.match(text)
    if not m:
        raise PolicyError(
            f"not a duration: {text!r} (try '15m', '4h', '8 business hours', '5 business days', '1 week')"
        )
    if len(m[1]) > 12:  # far beyond the bound below, and no 5000-digit int() to build
        raise _too_long(text)
    n, business, unit = int(m[1]), bool(m[2]), m[3].lower()
    if n <= 0:
        raise PolicyError(f"duration must be positive: {text!r}")
    factor = {"m": 1, "h": 60, "d": 1440, "w": 7 * 1440}[unit[0]]
    if business:
        if unit[0] == "d":
            return _bounded(Span(n, "business_days"), text)
        if unit[0] == "w":
            return _bounded(Span(n * 5, "business_days"), text)
        return _bounded(Span(n * factor, "business_minutes"), text)
    return _bounded(Span(n * factor), text)


#: The longest target, as wall-clock minutes or as a count of business minutes or days.
_MAX_MINUTES = int(MAX_SPAN.total_seconds()) // 60


def _bounded(span: Span, text: str | int) -> Span:
    """``span`` if no longer than ``MAX_SPAN`` (business days counted as days): a target of
    ``99999999999999d`` is a typo, and would overflow every deadline computed from it."""
    limit = MAX_SPAN.days if span.unit == "business_days" else _MAX_MINUTES
    if span.amount > limit:
        raise _too_long(text)
    return span


def _too_long(text: str | int) -> PolicyError:
    return PolicyError(f"duration too long: {text!r} (at most {MAX_SPAN.days} days)")


@dataclass(frozen=True)
class EscalationStep:
    """After ``after`` from the start, if ``condition`` still holds, call ``to``."""

    after: Span
    condition: str
    to: str


@dataclass(frozen=True)
class Level:
    key: str  # "SEV-1"
    name: str  # "Critical"
    description: str = ""
    targets: Mapping[str, Span] = field(default_factory=dict)
    update_every: Span | None = None
    escalation: tuple[EscalationStep, ...] = ()
    checklist: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}".strip()


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    levels: tuple[Level, ...]
    business_hours: BusinessHours = field(default_factory=BusinessHours)

    def level(self, text: str) -> Level:
        """Find a level by its name, case- and punctuation-insensitively: ``SEV-1``, ``sev1``, ``1``."""
        wanted = _norm(text)
        for lvl in self.levels:
            if _norm(lvl.key) == wanted:
                return lvl
        if wanted.isdigit():  # compared as digit strings: a 5000-digit "level" is no int() to build
            number = wanted.lstrip("0") or "0"
            matches = [lvl for lvl in self.levels if (re.sub(r"\D", "", lvl.key).lstrip("0") or "0") == number]
            if len(matches) == 1:
                return matches[0]
        names = ", ".join(lvl.key for lvl in self.levels)
        raise PolicyError(f"unknown severity {text!r} for policy {self.name!r} (levels: {names})")

    def has_level(self, text: str) -> bool:
        try:
            self.level(text)
        except PolicyError:
            return False
        return True

    @property
    def default_level(self) -> Level:
        """The level a declaration gets when none is given: the second most severe, or the only one."""
        return self.levels[1] if len(self.levels) > 1 else self.levels[0]

    # -- serialisation (a policy is snapshotted into each incident) -------------------------
    def to_dict(self) -> dict[str, Any]:
        bh = self.business_hours
        return {
            "name": self.name,
            "title": self.title,
            "business_hours": {
                "start": bh.start.strftime("%H:%M"),
                "end": bh.end.strftime("%H:%M"),
                "days": sorted(bh.days),
                "timezone": bh.timezone,
            },
            "levels": [
                {
                    "key": lvl.key,
                    "name": lvl.name,
                    "description": lvl.description,
                    "targets": {k: v.to_text() for k, v in lvl.targets.items()},
                    "update_every": lvl.update_every.to_text() if lvl.update_every else None,
                    "escalation": [
                        {"after": s.after.to_text(), "if": s.condition, "to": s.to} for s in lvl.escalation
                    ],
                    "checklist": list(lvl.checklist),
                }
                for lvl in self.levels
            ],
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def policy_from_dict(data: Mapping[str, Any], *, base: Policy | None = None, where: str = "policy") -> Policy:
    """Build a policy from parsed TOML/JSON. With ``base``, levels given override the base's by key."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected a table")
    name = _str(data.get("name", base.name if base else ""), f"{where}.name")
    if not name:
        raise PolicyError(f"{where}: 'name' is required")
    title = _str(data.get("title", base.title if base else name), f"{where}.title")
    hours = base.business_hours if base else BusinessHours()
    if "business_hours" in data:
        hours = _business_hours(data["business_hours"], hours, f"{where}.business_hours")
    levels = list(base.levels) if base else []
    raw_levels = data.get("levels", [])
    if not isinstance(raw_levels, list):
        raise PolicyError(f"{where}.levels: expected an array of tables ([[levels]])")
    for i, raw in enumerate(raw_levels):
        lwhere = f"{where}.levels[{i}]"
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{lwhere}: expected a table")
        key = _str(raw.get("key", ""), f"{lwhere}.key")
        if not key:
            raise PolicyError(f"{lwhere}: 'key' is required (e.g. key = \"SEV-1\")")
        existing = next((j for j, lvl in enumerate(levels) if _norm(lvl.key) == _norm(key)), None)
        level = _level(raw, levels[existing] if existing is not None else None, lwhere)
        if existing is None:
            levels.append(level)
        else:
            levels[existing] = level
    if not levels:
        raise PolicyError(f"{where}: a policy needs at least one level")
    return Policy(name=name, title=title, levels=tuple(levels), business_hours=hours)


def policy_from_snapshot(data: Mapping[str, Any]) -> Policy:
    """The policy an incident was declared under, as stored beside it. A span that no longer reads
    (a target of ``99999999999999d``, stored before spans were bounded) is dropped with its step:
    the incident stays readable, with no deadline for that target."""
    try:
        return policy_from_dict(data)
    except PolicyError:
        pass
    levels = []
    for raw in data.get("levels", []) if isinstance(data.get("levels"), list) else []:
        if not isinstance(raw, Mapping):
            continue
        raw = dict(raw)
        targets = raw.get("targets")
        if isinstance(targets, Mapping):
            raw["targets"] = {k: v for k, v in targets.items() if _readable_span(v)}
        if not _readable_span(raw.get("update_every")):
            raw["update_every"] = None
        if isinstance(raw.get("escalation"), list):
            raw["escalation"] = [s for s in raw["escalation"] if isinstance(s, Mapping) and _readable_span(s.get("after"))]
        levels.append(raw)
    return policy_from_dict({**data, "levels": levels})


def _readable_span(value: Any) -> bool:
    if value in (None, "", "-", False):
        return True
    try:
        parse_span(value)
    except PolicyError:
        return False
    return True


def _level(raw: Mapping[str, Any], base: Level | None, where: str) -> Level:
    key = base.key if base else raw["key"]  # an override keeps the preset's spelling
    targets: dict[str, Span] = dict(base.targets) if base else {}
    raw_targets = raw.get("targets", {})
    if not isinstance(raw_targets, Mapping):
        raise PolicyError(f"{where}.targets: expected a table")
    for tname, value in raw_targets.items():
        if tname not in TARGETS:
            raise PolicyError(f"{where}.targets: unknown target {tname!r} (known: {', '.join(TARGETS)})")
        if value in (None, "", "-", False):
            targets.pop(tname, None)
        else:
            targets[tname] = _span(value, f"{where}.targets.{tname}")
    update_every = base.update_every if base else None
    if "update_every" in raw:
        value = raw["update_every"]
        update_every = None if value in (None, "", "-", False) else _span(value, f"{where}.update_every")
    escalation = base.escalation if base else ()
    if "escalation" in raw:
        steps = []
        if not isinstance(raw["escalation"], list):
            raise PolicyError(f"{where}.escalation: expected an array of tables")
        for j, step in enumerate(raw["escalation"]):
            swhere = f"{where}.escalation[{j}]"
            if not isinstance(step, Mapping) or "after" not in step or "to" not in step:
                raise PolicyError(f"{swhere}: expected {{after = \"15m\", if = \"unresolved\", to = \"...\"}}")
            condition = step.get("if", "unresolved")
            if condition not in ESCALATION_CONDITIONS:
                raise PolicyError(
                    f"{swhere}.if: {condition!r} is not one of {', '.join(ESCALATION_CONDITIONS)}"
                )
            steps.append(EscalationStep(_span(step["after"], f"{swhere}.after"), condition,
                                        _str(step["to"], f"{swhere}.to")))
        escalation = tuple(steps)
    checklist = base.checklist if base else ()
    if "checklist" in raw:
        if not isinstance(raw["checklist"], list) or not all(isinstance(c, str) for c in raw["checklist"]):
            raise PolicyError(f"{where}.checklist: expected an array of strings")
        checklist = tuple(raw["checklist"])
    return Level(
        key=key,
        name=_str(raw.get("name", base.name if base else ""), f"{where}.name"),
        description=_str(raw.get("description", base.description if base else ""), f"{where}.description"),
        targets={t: targets[t] for t in TARGETS if t in targets},
        update_every=update_every,
        escalation=escalation,
        checklist=checklist,
    )


def _span(value: Any, where: str) -> Span:
    try:
        return parse_span(value)
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc}") from None


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: expected a string, got {value!r}")
    return value


def _business_hours(raw: Any, base: BusinessHours, where: str) -> BusinessHours:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: expected a table")
    try:
        start = time.fromisoformat(raw["start"]) if "start" in raw else base.start
        end = time.fromisoformat(raw["end"]) if "end" in raw else base.end
        days = frozenset(raw["days"]) if "days" in raw else base.days
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            raise ValueError("days are 0 (Monday) .. 6 (Sunday)")
        return BusinessHours(start, end, days, raw.get("timezone", base.timezone))
    except ZoneInfoNotFoundError:
        raise PolicyError(f"{where}: unknown timezone {raw.get('timezone')!r} (use an IANA name like Europe/Berlin)") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise PolicyError(f"{where}: {exc}") from None


def with_timezone(policy: Policy, tz: str) -> Policy:
    return replace(policy, business_hours=replace(policy.business_hours, timezone=tz))

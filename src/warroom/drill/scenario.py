'''The drill scenario file: a scripted incident in TOML, and its parser.

Pure: :func:`parse_scenario` takes the file's text (the shell reads it) and returns a
:class:`Scenario` or raises :class:`ScenarioError`, whose message names the file, the line and
what is wrong (``db-pool.toml:41: events[6].over: not a duration: '2 minutes' (use 30s, 5m,
1h30m)``). Offsets are scenario time from the drill's start; ``--speed`` compresses them.

The format::

    title = "Checkout crash-loops after a deploy"   # required
    severity = "SEV-2"                 # the level the drill declares (policy's default otherwise)
    policy = "sev"                     # sev | p1 | p0
    services = ["checkout"]
    impact = "Customers cannot pay"
    briefing = "What the IC is told when the drill starts."
    duration = "40m"                   # the drill ends here, or earlier when the incident is resolved
    detected = "-1m"                   # when the problem was detected, relative to the start (≤ 0)

    [[panels]]                         # the metrics pane; any Panel field (unit, direction, thresholds)
    title = "Checkout error ratio"
    unit = "ratio"
    normal = 0.004                     # the healthy level: the start value and yesterday's baseline
    noise = 0.08                       # relative jitter, deterministic (default 0.05)
    crit_ratio = 5

    [[probes]]                         # health probes, up until an event says otherwise
    name = "checkout"
    url = "https://checkout.shop.internal/health"
    latency = "35ms"

    [[workloads]]                      # the pod pane: Deployments (or StatefulSets) with healthy pods
    name = "checkout"
    namespace = "shop"
    replicas = 4
    image = "registry.example.com/shop/checkout:2.4.0"

    [[events]]                         # at an offset (negative: it happened before the drill began), one of:
    at = "1m"
    do = "rollout"                     # workload, image: a new revision rolls out
    # do = "pods"     workload, status (Running, CrashLoopBackOff, OOMKilled, ImagePullBackOff,
    #                 ErrImagePull, Error, Pending, NotReady), count (default: every replica)
    # do = "scale"    workload, replicas
    # do = "metric"   panel, to, over (a linear ramp from the current value; default at once)
    # do = "alert"    name, severity, summary — firing from then on;  do = "resolve": name
    # do = "warning"  workload, reason, message — a Kubernetes Warning event
    # do = "probe"    name, ok, status, latency
    # do = "inject"   text — a prompt shown to the IC ("Customer success reports …")

    [mitigation]                       # the right fix: an action, decision or status entry that
    description = "Roll back checkout" # contains one of the phrases (case does not matter)
    match = ["roll back", "rollback", "revert"]

    [[mitigation.events]]              # what happens once it is logged: ``after`` instead of ``at``
    after = "30s"
    do = "pods"
    workload = "checkout"
    status = "Running"

    [expect]                           # what a good response does (scored in the drill report)
    acknowledge = "5m"                 # within, from detection (default: the level's target)
    mitigate = "15m"
    resolve = "30m"
    updates = true                     # the level's status update cadence kept
'''

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Mapping, Sequence

from warroom.domain.panels import Panel, PanelConfigError
from warroom.domain.times import parse_duration

POD_STATUSES = ("Running", "CrashLoopBackOff", "OOMKilled", "ImagePullBackOff", "ErrImagePull", "Error",
                "Pending", "NotReady")
#: For each ``do``: (required fields, optional fields).
EVENT_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "metric": (frozenset({"panel", "to"}), frozenset({"over"})),
    "alert": (frozenset({"name"}), frozenset({"severity", "summary"})),
    "resolve": (frozenset({"name"}), frozenset()),
    "pods": (frozenset({"workload", "status"}), frozenset({"count"})),
    "scale": (frozenset({"workload", "replicas"}), frozenset()),
    "rollout": (frozenset({"workload", "image"}), frozenset()),
    "warning": (frozenset({"workload", "reason", "message"}), frozenset()),
    "probe": (frozenset({"name"}), frozenset({"ok", "status", "latency"})),
    "inject": (frozenset({"text"}), frozenset()),
}
_TOP = frozenset({"title", "name", "severity", "policy", "services", "impact", "briefing", "duration", "detected",
                  "panels", "probes", "workloads", "events", "mitigation", "expect"})
_PANEL_EXTRA = frozenset({"normal", "noise"})
_PANEL_FIELDS = frozenset({"title", "unit", "baseline", "direction", "warn_ratio", "crit_ratio", "warn_abs",
                           "crit_abs"})
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
#: Bounds on what a scenario may ask for. A drill plays in real time (at most 600x faster), so a
#: month of scenario time is already more than anyone plays; each replica is a pod object the
#: cluster emulation builds on every refresh (100,000,000 of them took 2.4 GB).
MAX_OFFSET = timedelta(days=30)
MAX_REPLICAS = 1000
#: A scripted value (metric level, target): finite, and far from overflowing any arithmetic.
MAX_MAGNITUDE = 1e15


class ScenarioError(ValueError):
    """A scenario file cannot be used: ``str()`` is ``file:line: where: what``."""

    def __init__(self, source: str, line: int, where: str, message: str) -> None:
        self.source, self.line, self.where, self.message = source, line, where, message
        place = f"{source}:{line}" if line else source
        super().__init__(f"{place}: {where + ': ' if where else ''}{message}")


@dataclass(frozen=True)
class PanelScript:
    panel: Panel
    normal: float
    noise: float = 0.05


@dataclass(frozen=True)
class ProbeScript:
    name: str
    url: str
    latency: float = 0.03  # seconds


@dataclass(frozen=True)
class Workload:
    name: str
    namespace: str
    replicas: int
    image: str
    kind: str = "Deployment"


@dataclass(frozen=True)
class Event:
    """One scripted change. ``at`` counts from the start, or from the mitigation for its events."""

    do: str
    at: timedelta
    panel: str = ""
    to: float = 0.0
    over: timedelta = timedelta(0)
    name: str = ""
    severity: str = ""
    summary: str = ""
    workload: str = ""
    status: str = ""
    count: int | None = None
    replicas: int = 0
    image: str = ""
    reason: str = ""
    message: str = ""
    ok: bool = True
    http_status: int | None = None
    latency: float | None = None
    text: str = ""
    line: int = 0


@dataclass(frozen=True)
class Mitigation:
    description: str
    match: tuple[str, ...]
    events: tuple[Event, ...] = ()

    def matches(self, text: str) -> bool:
        low = text.lower()
        return any(phrase in low for phrase in self.match)


@dataclass(frozen=True)
class Expectations:
    acknowledge: timedelta | None = None  # None: the level's target
    mitigate: timedelta | None = None
    resolve: timedelta | None = None
    updates: bool = True


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    severity: str = ""
    policy: str = "sev"
    services: tuple[str, ...] = ()
    impact: str = ""
    briefing: str = ""
    duration: timedelta = timedelta(minutes=30)
    detected: timedelta = timedelta(0)  # ≤ 0: before the start
    panels: tuple[PanelScript, ...] = ()
    probes: tuple[ProbeScript, ...] = ()
    workloads: tuple[Workload, ...] = ()
    events: tuple[Event, ...] = ()
    mitigation: Mitigation | None = None
    expect: Expectations = field(default_factory=Expectations)

    def panel(self, title: str) -> PanelScript | None:
        return next((p for p in self.panels if p.panel.title == title), None)

    def workload(self, name: str) -> Workload | None:
        return next((w for w in self.workloads if w.name == name), None)


# ---------------------------------------------------------------------------------------------


def parse_scenario(text: str, source: str = "<scenario>", *, name: str = "") -> Scenario:
    """The scenario in ``text`` (a TOML document); ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        raise ScenarioError(source, int(m[1]) if m else 0, "", f"invalid TOML: {exc}") from None
    return _Parser(text, source).scenario(data, name)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source

    def fail(self, path: Sequence[str | int], message: str) -> ScenarioError:
        return ScenarioError(self.source, line_of(self.text, path), _where(path), message)

    # -- fields ---------------------------------------------------------------------------------
    def keys(self, table: Mapping[str, Any], allowed: frozenset[str], path: Sequence[str | int]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail([*path, key], f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def str(self, table: Mapping[str, Any], key: str, path, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                raise self.fail(path, f"missing {key!r}")
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail([*path, key], f"expected a non-empty string, got {value!r}")
        return value.strip()

    def number(self, table: Mapping[str, Any], key: str, path, default: float | None = None,
               minimum: float | None = None) -> float:
        if key not in table:
            if default is None:
                raise self.fail(path, f"missing {key!r}")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail([*path, key], f"expected a number, got {value!r}")
        if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:  # nan and ±inf fail this too
            raise self.fail([*path, key], f"expected a finite number within ±{MAX_MAGNITUDE:g}, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail([*path, key], f"must be at least {minimum:g}, got {value!r}")
        return float(value)

    def integer(self, table, key, path, default: int | None = None, minimum: int = 0,
                maximum: int = MAX_REPLICAS) -> int:
        value = table.get(key, default)
        if value is None:
            raise self.fail(path, f"missing {key!r}")
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise self.fail([*path, key], f"expected a whole number from {minimum} to {maximum}, got {value!r}")
        return value

    def duration(self, table, key, path, default: timedelta | None = None, *, negative: bool = False) -> timedelta:
        if key not in table:
            if default is None:
                raise self.fail(path, f"missing {key!r}")
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail([*path, key], f"expected a duration string such as \"5m\", got {value!r}")
        body = value.strip()
        sign = 1
        if body.startswith("-"):
            if not negative:
                raise self.fail([*path, key], f"must not be negative: {value!r}")
            sign, body = -1, body[1:]
        try:
            return sign * parse_duration(body, maximum=MAX_OFFSET)
        except ValueError as exc:
            if "too long" in str(exc):
                raise self.fail([*path, key], f"too long: {value!r} (at most {MAX_OFFSET.days} days)") from None
            raise self.fail([*path, key], f"not a duration: {value!r} (use 30s, 5m, 1h30m)") from None

    def table(self, data, key, path) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail([*path, key], "expected a table")
        return value

    def tables(self, data, key) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail([key], f"expected [[{key}]] tables")
        return value

    # -- sections -------------------------------------------------------------------------------
    def scenario(self, data: Mapping[str, Any], name: str) -> Scenario:
        self.keys(data, _TOP, [])
        title = self.str(data, "title", [])
        name = data.get("name", name) or _slug(title)
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(["name"], f"a scenario name is lowercase letters, digits and dashes, got {name!r}")
        services = data.get("services", [])
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise self.fail(["services"], "expected a list of strings")
        duration = self.duration(data, "duration", [], timedelta(minutes=30))
        if duration <= timedelta(0):
            raise self.fail(["duration"], "must be longer than 0")
        detected = self.duration(data, "detected", [], timedelta(0), negative=True)
        if detected > timedelta(0):
            raise self.fail(["detected"], "detection cannot come after the start (use 0 or a negative offset)")
        policy = self.str(data, "policy", [], "sev")
        severity = self.str(data, "severity", [], "")
        self._check_severity(policy, severity)
        panels = tuple(self.panel(t, ["panels", i]) for i, t in enumerate(self.tables(data, "panels")))
        _unique(self, [p.panel.title for p in panels], "panels", "title")
        probes = tuple(self.probe(t, ["probes", i]) for i, t in enumerate(self.tables(data, "probes")))
        _unique(self, [p.name for p in probes], "probes", "name")
        workloads = tuple(self.workload(t, ["workloads", i]) for i, t in enumerate(self.tables(data, "workloads")))
        _unique(self, [w.name for w in workloads], "workloads", "name")
        partial = Scenario(name=name, title=title, panels=panels, probes=probes, workloads=workloads)
        events = tuple(self.event(t, ["events", i], partial, "at")
                       for i, t in enumerate(self.tables(data, "events")))
        mitigation = None
        if "mitigation" in data:
            raw = self.table(data, "mitigation", [])
            self.keys(raw, frozenset({"description", "match", "events"}), ["mitigation"])
            match = raw.get("match")
            if (not isinstance(match, list) or not match
                    or not all(isinstance(m, str) and m.strip() for m in match)):
                raise self.fail(["mitigation", "match"] if "match" in raw else ["mitigation"],
                                "expected a non-empty list of phrases")
            sub = self.tables(raw, "events") if "events" in raw else []
            mitigation = Mitigation(
                self.str(raw, "description", ["mitigation"]), tuple(m.strip().lower() for m in match),
                tuple(self.event(t, ["mitigation", "events", i], partial, "after") for i, t in enumerate(sub)))
        expect = self.expectations(self.table(data, "expect", []))
        return Scenario(name=name, title=title, severity=severity, policy=policy, services=tuple(services),
                        impact=data.get("impact", "") if isinstance(data.get("impact", ""), str) else "",
                        briefing=self.str(data, "briefing", [], ""), duration=duration, detected=detected,
                        panels=panels, probes=probes, workloads=workloads,
                        events=tuple(sorted(events, key=lambda e: e.at)), mitigation=mitigation, expect=expect)

    def _check_severity(self, policy: str, severity: str) -> None:
        from warroom.domain.policy import PolicyError
        from warroom.domain.presets import PRESETS, preset

        if policy not in PRESETS:
            raise self.fail(["policy"], f"unknown policy {policy!r} (one of: {', '.join(PRESETS)})")
        if severity:
            try:
                preset(policy).level(severity)
            except PolicyError as exc:
                raise self.fail(["severity"], str(exc)) from None

    def panel(self, raw: Mapping[str, Any], path) -> PanelScript:
        self.keys(raw, _PANEL_FIELDS | _PANEL_EXTRA, path)
        title = self.str(raw, "title", path)
        normal = self.number(raw, "normal", path)
        noise = self.number(raw, "noise", path, 0.05, minimum=0)
        fields = {k: v for k, v in raw.items() if k in _PANEL_FIELDS}
        try:
            panel = Panel(query=f"drill: {title}", **fields)
        except (PanelConfigError, TypeError, ValueError) as exc:
            key = getattr(exc, "field", "")
            raise self.fail([*path, key] if key else path, str(exc)) from None
        return PanelScript(panel, normal, noise)

    def probe(self, raw, path) -> ProbeScript:
        self.keys(raw, frozenset({"name", "url", "latency"}), path)
        name = self.str(raw, "name", path)
        latency = self.duration(raw, "latency", path, timedelta(milliseconds=30)).total_seconds()
        return ProbeScript(name, self.str(raw, "url", path, f"https://{name}.internal/health"), latency)

    def workload(self, raw, path) -> Workload:
        self.keys(raw, frozenset({"name", "namespace", "replicas", "image", "kind"}), path)
        name = self.str(raw, "name", path)
        if not _NAME.match(name):
            raise self.fail([*path, "name"], f"not a Kubernetes name: {name!r}")
        kind = self.str(raw, "kind", path, "Deployment")
        if kind not in ("Deployment", "StatefulSet"):
            raise self.fail([*path, "kind"], f"expected Deployment or StatefulSet, got {kind!r}")
        return Workload(name, self.str(raw, "namespace", path, "default"), self.integer(raw, "replicas", path, 3, 1),
                        self.str(raw, "image", path), kind)

    def event(self, raw, path, scenario: Scenario, offset_key: str) -> Event:
        do = self.str(raw, "do", path)
        if do not in EVENT_FIELDS:
            raise self.fail([*path, "do"], f"unknown event {do!r} (one of: {', '.join(EVENT_FIELDS)})")
        required, optional = EVENT_FIELDS[do]
        self.keys(raw, required | optional | {"do", offset_key}, path)
        for key in sorted(required):
            if key not in raw:
                raise self.fail(path, f"{'an' if do[0] in 'aeiou' else 'a'} {do!r} event needs {key!r}")
        at = self.duration(raw, offset_key, path, negative=offset_key == "at")  # before the start: history
        kw: dict[str, Any] = {}
        if do == "metric":
            kw["panel"] = self.str(raw, "panel", path)
            if scenario.panel(kw["panel"]) is None:
                raise self.fail([*path, "panel"], f"no panel titled {kw['panel']!r}")
            kw["to"] = self.number(raw, "to", path)
            kw["over"] = self.duration(raw, "over", path, timedelta(0))
        if do in ("alert", "resolve", "probe"):
            kw["name"] = self.str(raw, "name", path)
        if do == "probe" and not any(p.name == kw["name"] for p in scenario.probes):
            raise self.fail([*path, "name"], f"no probe named {kw['name']!r}")
        if do == "alert":
            kw["severity"] = self.str(raw, "severity", path, "")
            kw["summary"] = self.str(raw, "summary", path, "")
        if do in ("pods", "scale", "rollout", "warning"):
            kw["workload"] = self.str(raw, "workload", path)
            if scenario.workload(kw["workload"]) is None:
                raise self.fail([*path, "workload"], f"no workload named {kw['workload']!r}")
        if do == "pods":
            kw["status"] = self.str(raw, "status", path)
            if kw["status"] not in POD_STATUSES:
                raise self.fail([*path, "status"], f"unknown pod status {kw['status']!r} "
                                                   f"(one of: {', '.join(POD_STATUSES)})")
            if "count" in raw:
                kw["count"] = self.integer(raw, "count", path, minimum=0)
        if do == "scale":
            kw["replicas"] = self.integer(raw, "replicas", path, minimum=0)
        if do == "rollout":
            kw["image"] = self.str(raw, "image", path)
        if do == "warning":
            kw["reason"] = self.str(raw, "reason", path)
            kw["message"] = self.str(raw, "message", path)
        if do == "probe":
            ok = raw.get("ok", True)
            if not isinstance(ok, bool):
                raise self.fail([*path, "ok"], f"expected true or false, got {ok!r}")
            kw["ok"] = ok
            if "status" in raw:
                kw["http_status"] = self.integer(raw, "status", path, minimum=100, maximum=599)
            if "latency" in raw:
                kw["latency"] = self.duration(raw, "latency", path).total_seconds()
        if do == "inject":
            kw["text"] = self.str(raw, "text", path)
        return Event(do=do, at=at, line=line_of(self.text, path), **kw)

    def expectations(self, raw: Mapping[str, Any]) -> Expectations:
        path = ["expect"]
        self.keys(raw, frozenset({"acknowledge", "mitigate", "resolve", "updates"}), path)
        updates = raw.get("updates", True)
        if not isinstance(updates, bool):
            raise self.fail([*path, "updates"], f"expected true or false, got {updates!r}")
        return Expectations(*(self.duration(raw, k, path) if k in raw else None
                              for k in ("acknowledge", "mitigate", "resolve")), updates=updates)


def _unique(parser: _Parser, names: list[str], table: str, key: str) -> None:
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise parser.fail([table, i, key], f"duplicate {key} {n!r}")
        seen.add(n)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-") or "scenario"


def _where(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_ARRAY_HEADER = re.compile(r"^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"^([A-Za-z0-9_-]+)\s*=")


def line_of(text: str, path: Sequence[str | int]) -> int:
    """The line (1-based) where ``path`` (``["events", 3, "at"]``) is written, or its table's header
    line when the key itself is absent; 0 when it cannot be found (inline tables)."""
    header_parts: list[str] = []
    index: int | None = None
    key: str | None = None
    for i, part in enumerate(path):
        if isinstance(part, int):
            index = part
            rest = path[i + 1:]
            key = rest[0] if rest and isinstance(rest[0], str) else None
            break
        header_parts.append(part)
    else:
        key = header_parts.pop() if header_parts else None
        if header_parts == [] and key is None:
            return 0
    want = ".".join(header_parts) or None
    current: str | None = None
    current_index: int | None = None
    counts: dict[str, int] = {}
    header_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = _ARRAY_HEADER.match(line)
        if m:
            current = m[1]
            counts[current] = counts.get(current, -1) + 1
            current_index = counts[current]
        elif (m := _TABLE_HEADER.match(line)) is not None:
            current, current_index = m[1], None
        else:
            k = _KEY.match(line)
            if k and current == want and current_index == index and k[1] == key:
                return number
            continue
        if current == want and current_index == index:
            header_line = number
        elif index is None and key is not None and current == ".".join([*header_parts, key]):
            header_line = header_line or number  # the path names a table: its header
    return header_line


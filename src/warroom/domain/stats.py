"""Numbers across incidents: how many, how fast, how often the targets were met — ``warroom stats``.

Pure: a function of the incidents, their timelines and ``now``. Every figure of one incident is
the one the TUI and the review show (:func:`warroom.domain.sla.evaluate` for the durations and the
targets, :func:`warroom.domain.cadence.cadence_report` for the updates); this module only counts
and summarises them. Drill incidents are summarised apart from real ones, with their scores
(computed by the shell with ``drill.scoring``, passed in).

Summaries of a duration: the median (the mean of the two middle values for an even count), the
90th percentile by nearest rank (the ⌈0.9·n⌉-th smallest value) and the mean, over the incidents
where it was recorded. A target's compliance rate is met ÷ judged, where judged counts met,
missed and breached (a pending target is not judged yet). The cadence is kept by an incident
whose every update came on time (incidents whose level sets no cadence are not judged).

The runbooks' objectives (``OBJECTIVES``, from seed 002's "Performance Metrics and KPIs" and
its executive summary) are compared with the real incidents' figures: MTTD under 3 minutes and
MTTR under 45 minutes for critical incidents (the most severe level of their policy), MTTA under
5 minutes, and a first status update within 15 minutes of the declaration for 100 % of critical
incidents. "Mean" is the runbook's word: the objectives compare means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Literal, Mapping, Sequence

from warroom.domain.cadence import cadence_report
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy, PolicyError
from warroom.domain.sla import DURATIONS, evaluate
from warroom.domain.timeline import Entry, in_order

#: The first status update counts as on time within this of the declaration (seeds 002, 003).
FIRST_UPDATE_WITHIN = timedelta(minutes=15)
#: The short names teams use for the durations.
SHORT = {"detect": "MTTD", "acknowledge": "MTTA", "identify": "MTTI", "mitigate": "MTTM", "resolve": "MTTR"}


class StatsError(ValueError):
    """A filter that cannot be applied (an unknown severity); one line."""


@dataclass(frozen=True)
class Sample:
    """One incident's figures, judged at its ``now``."""

    incident: Incident
    durations: Mapping[str, timedelta | None]
    targets: Mapping[str, str]  # target name → met / missed / pending / breached
    cadence_kept: bool | None  # None: the level sets no cadence
    updates_sent: int
    first_update: timedelta | None  # declaration → first update counted by the cadence clock
    first_update_on_time: bool | None  # None: none sent yet and the 15 minutes not over
    score: tuple[int, int] | None = None  # a drill's checks (passed, judged)

    @property
    def critical(self) -> bool:
        return self.incident.level.key == self.incident.policy.levels[0].key


def sample(incident: Incident, entries: Iterable[Entry], now: datetime,
           score: tuple[int, int] | None = None) -> Sample:
    """The figures of one incident, as its review shows them at ``now``."""
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    cadence = cadence_report(incident, entries, now)
    declared = incident.milestones["declared"]
    first_at = next((u.at for u in cadence.updates if u.counted), None)
    first = first_at - declared if first_at is not None else None
    if first is not None:
        on_time: bool | None = first <= FIRST_UPDATE_WITHIN
    else:
        end = incident.milestones.get("resolved") or now
        on_time = False if end - declared > FIRST_UPDATE_WITHIN else None
    return Sample(incident, dict(sla.durations), {t.name: t.state for t in sla.targets}, cadence.kept,
                  cadence.sent, first, on_time, score)


@dataclass(frozen=True)
class Spread:
    """One duration over several incidents."""

    count: int
    median: timedelta | None
    p90: timedelta | None
    mean: timedelta | None


def spread(values: Iterable[timedelta]) -> Spread:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return Spread(0, None, None, None)
    middle = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return Spread(n, middle, ordered[math.ceil(0.9 * n) - 1], sum(ordered, timedelta(0)) / n)


@dataclass(frozen=True)
class Rate:
    """How often something held: ``hits`` of ``judged`` (``pending`` not judged yet)."""

    hits: int
    judged: int
    pending: int = 0

    @property
    def value(self) -> float | None:
        return self.hits / self.judged if self.judged else None


@dataclass(frozen=True)
class LevelCount:
    key: str
    label: str
    total: int
    open: int


@dataclass(frozen=True)
class Group:
    """The summary of a set of incidents (the real ones, or the drills)."""

    count: int
    levels: tuple[LevelCount, ...]
    durations: Mapping[str, Spread]
    targets: Mapping[str, Rate]
    cadence: Rate
    updates_sent: int
    first_update: Rate


def group(samples: Sequence[Sample]) -> Group:
    levels: dict[str, list[Sample]] = {}
    rank: dict[str, tuple[int, str]] = {}
    for s in samples:
        key = s.incident.level.key
        levels.setdefault(key, []).append(s)
        rank.setdefault(key, (s.incident.policy.levels.index(s.incident.level), key))
    counts = tuple(LevelCount(k, v[0].incident.level.label, len(v), sum(not x.incident.is_resolved for x in v))
                   for k, v in sorted(levels.items(), key=lambda kv: rank[kv[0]]))
    durations = {name: spread(d for s in samples if (d := s.durations.get(name)) is not None) for name in DURATIONS}
    names: list[str] = []
    for s in samples:
        names += [n for n in s.targets if n not in names]
    targets = {name: _rate([s.targets.get(name) for s in samples], "met", ("met", "missed", "breached"))
               for name in names}
    cadence = Rate(sum(s.cadence_kept is True for s in samples), sum(s.cadence_kept is not None for s in samples))
    first = Rate(sum(s.first_update_on_time is True for s in samples),
                 sum(s.first_update_on_time is not None for s in samples),
                 sum(s.first_update_on_time is None for s in samples))
    return Group(len(samples), counts, durations, targets, cadence, sum(s.updates_sent for s in samples), first)


def _rate(states: Sequence[str | None], hit: str, judged: tuple[str, ...]) -> Rate:
    return Rate(sum(s == hit for s in states), sum(s in judged for s in states), sum(s == "pending" for s in states))


@dataclass(frozen=True)
class Objective:
    """A runbook's objective: ``measure`` (a duration's mean, or "first_update" rate) under ``limit``."""

    key: str
    label: str
    measure: str
    limit: timedelta | float
    scope: Literal["critical", "all"]
    source: str


@dataclass(frozen=True)
class ObjectiveResult:
    objective: Objective
    actual: timedelta | float | None  # a mean duration, or a rate 0..1; None without data
    count: int  # the incidents it was measured over
    ok: bool | None  # None: no data


OBJECTIVES = (
    Objective("mttd", "MTTD under 3 min (critical incidents)", "detect", timedelta(minutes=3), "critical",
              "seed 002: objectives, KPIs"),
    Objective("mtta", "MTTA under 5 min", "acknowledge", timedelta(minutes=5), "all", "seed 002: KPIs"),
    Objective("mttr", "MTTR under 45 min (critical incidents)", "resolve", timedelta(minutes=45), "critical",
              "seed 002: objectives, KPIs"),
    Objective("comms15", "100 % of critical incidents: first update within 15 min of declaration",
              "first_update", 1.0, "critical", "seed 002: objectives; seed 003: initial broadcast"),
)


def objectives(samples: Sequence[Sample]) -> tuple[ObjectiveResult, ...]:
    out = []
    for o in OBJECTIVES:
        chosen = [s for s in samples if o.scope == "all" or s.critical]
        if o.measure == "first_update":
            rate = group(chosen).first_update if chosen else Rate(0, 0)
            value = rate.value
            out.append(ObjectiveResult(o, value, rate.judged, None if value is None else value >= o.limit))
        else:
            sp = spread(d for s in chosen if (d := s.durations.get(o.measure)) is not None)
            ok = None if sp.mean is None else sp.mean < o.limit
            out.append(ObjectiveResult(o, sp.mean, sp.count, ok))
    return tuple(out)


@dataclass(frozen=True)
class DrillScore:
    ref: str
    title: str
    severity: str
    passed: int
    judged: int


@dataclass(frozen=True)
class Stats:
    now: datetime
    since: datetime
    severities: tuple[str, ...]  # the filter as typed ("" none)
    real: Group
    drills: Group
    scores: tuple[DrillScore, ...]
    objectives: tuple[ObjectiveResult, ...] = field(default=())

    @property
    def drill_pass_rate(self) -> Rate:
        return Rate(sum(d.passed for d in self.scores), sum(d.judged for d in self.scores))


def in_window(incidents: Iterable[Incident], now: datetime, since: timedelta,
              severities: Sequence[str] = ()) -> list[Incident]:
    """The incidents declared in the last ``since`` (up to ``now``) at one of ``severities`` (any
    when empty); a severity no policy of theirs knows is a :class:`StatsError`."""
    start = now - since
    chosen = [i for i in incidents if start <= i.milestones["declared"] <= now]
    if not severities:
        return chosen
    from warroom.domain.presets import PRESETS

    policies: dict[str, Policy] = {**PRESETS, **{i.policy.name: i.policy for i in incidents}}
    for text in severities:
        if not any(p.has_level(text) for p in policies.values()):
            known = sorted({lvl.key for p in policies.values() for lvl in p.levels})
            raise StatsError(f"unknown severity {text!r} (levels: {', '.join(known)})")
    return [i for i in chosen if any(_is_level(i, t) for t in severities)]


def _is_level(incident: Incident, text: str) -> bool:
    try:
        return incident.policy.level(text).key == incident.level.key
    except PolicyError:
        return False


def summarise(samples: Sequence[Sample], now: datetime, since: timedelta, severities: Sequence[str] = ()) -> Stats:
    """The stats of the samples (already chosen by :func:`in_window`): real and drills apart."""
    real = [s for s in samples if not s.incident.drill]
    drills = [s for s in samples if s.incident.drill]
    scores = tuple(DrillScore(s.incident.ref, s.incident.title, s.incident.level.label, *s.score)
                   for s in sorted(drills, key=lambda s: s.incident.milestones["declared"]) if s.score is not None)
    return Stats(now, now - since, tuple(severities), group(real), group(drills), scores, objectives(real))

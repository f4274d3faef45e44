"""The drill report: how the response compares with the policy and the scenario's expectations.

Pure: a function of (scenario, incident, timeline, now) — the same report in the TUI at the end
of the drill, in ``warroom export`` a week later, and in a test. Every check says what was
expected and what happened; ``ok`` is None while a check cannot be judged yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from warroom.domain import markdown as md
from warroom.domain.cadence import cadence_report
from warroom.domain.incident import Incident
from warroom.domain.sla import evaluate, milestone_reached
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import format_duration
from warroom.drill.scenario import Scenario

#: Entry kinds in which the IC or scribe can apply the mitigation.
MITIGATION_KINDS = frozenset({"action", "decision", "status", "note"})
_MILESTONES = (("acknowledged", "Acknowledged"), ("mitigated", "Mitigated"), ("resolved", "Resolved"))


@dataclass(frozen=True)
class Check:
    what: str  # "Acknowledge within 5m"
    result: str  # "met: after 2m10s" / "missed by 3m" / "never"
    ok: bool | None  # None: not judged (not over yet, or not applicable)


@dataclass(frozen=True)
class DrillReport:
    scenario: Scenario
    checks: tuple[Check, ...]
    milestones: tuple[tuple[str, timedelta | None], ...]  # time from detection to each
    mitigation_at: datetime | None

    @property
    def passed(self) -> int:
        return sum(1 for c in self.checks if c.ok)

    @property
    def judged(self) -> int:
        return sum(1 for c in self.checks if c.ok is not None)

    @property
    def score(self) -> str:
        return f"{self.passed}/{self.judged}"

    def to_markdown(self, heading: str = "## Drill report") -> str:
        out = [heading, "", f"Scenario: **{md.inline(self.scenario.title)}** (`{self.scenario.name}`). "
                            f"Score: **{self.score}** checks passed.", "",
               "| Check | Result | |", "|---|---|---|"]
        for c in self.checks:
            mark = "✅ pass" if c.ok else "❌ fail" if c.ok is False else "— n/a"
            out.append(f"| {md.cell(c.what)} | {md.cell(c.result)} | {mark} |")
        out += ["", "Time from detection to each milestone:", ""]
        for name, took in self.milestones:
            out.append(f"- {name}: {format_duration(took) if took is not None else 'never'}")
        out.append("")
        return "\n".join(out)

    def lines(self) -> list[tuple[bool | None, str]]:
        """One line per check for a screen: (ok, text)."""
        return [(c.ok, f"{c.what}: {c.result}") for c in self.checks]


def find_mitigation(scenario: Scenario, entries: Iterable[Entry]) -> Entry | None:
    """The first live entry written by a person that applies the scenario's mitigation."""
    m = scenario.mitigation
    if m is None:
        return None
    candidates = [e for e in in_order(entries)
                  if not e.redacted and e.kind in MITIGATION_KINDS and e.author != "warroom" and m.matches(e.text)]
    return candidates[0] if candidates else None


def drill_report(scenario: Scenario, incident: Incident, entries: Iterable[Entry], now: datetime) -> DrillReport:
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    start = sla.start
    ms = incident.milestones
    checks: list[Check] = []
    # the policy's targets, as the SLA clock judged them
    for t in sla.targets:
        if t.state == "met":
            result, ok = f"met after {format_duration(t.met_at - start)}", True
        elif t.state == "missed":
            result, ok = f"missed by {format_duration(t.overdue)}", False
        elif t.state == "breached":
            result, ok = f"breached, {format_duration(t.overdue)} overdue", False
        else:
            result, ok = f"pending, {format_duration(t.remaining)} left", None
        checks.append(Check(f"SLA: {t.name} within {t.span}", result, ok))
    # the scenario's own expectations
    for name, milestone in (("acknowledge", "acknowledged"), ("mitigate", "mitigated"), ("resolve", "resolved")):
        within = getattr(scenario.expect, name)
        if within is None:
            continue
        reached = milestone_reached(ms, milestone)
        at = reached[0] if reached else None
        if at is not None:
            took = at - start
            ok = took <= within
            checks.append(Check(f"Expected: {name} within {format_duration(within)}",
                                f"after {format_duration(took)}", ok))
        else:
            over = now - start > within
            checks.append(Check(f"Expected: {name} within {format_duration(within)}",
                                "not yet" if not over else "never", False if over else None))
    if scenario.expect.updates:
        cadence = cadence_report(incident, entries, now)
        if cadence.kept is None:
            checks.append(Check("Status update cadence", "this level sets none", None))
        else:
            result = (f"every {cadence.every} kept; {cadence.sent} sent" if cadence.kept
                      else f"missed {cadence.late} time{'s' if cadence.late != 1 else ''}; {cadence.sent} sent")
            checks.append(Check(f"Status update every {cadence.every}", result, cadence.kept))
    found = find_mitigation(scenario, entries)
    if scenario.mitigation is not None:
        what = f"Right mitigation: {scenario.mitigation.description}"
        if found is not None:
            checks.append(Check(what, f"logged after {format_duration(found.at - start)}: {found.text[:80]}", True))
        else:
            checks.append(Check(what, "never logged", False))
    milestones = tuple((label, (reached[0] - start) if (reached := milestone_reached(ms, m)) else None)
                       for m, label in _MILESTONES)
    return DrillReport(scenario, tuple(checks), milestones, found.at if found else None)

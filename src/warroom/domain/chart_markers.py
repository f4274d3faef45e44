"""The incident's moments on a metric's chart: milestones, starred entries, decisions, actions, rollouts.

Pure (``now`` is never read: the window is passed in). The chart view draws a vertical line at each
marker, numbered, and ``n``/``p`` step through them showing the entry's text; the review's exported
charts draw the same markers. Entries mark when they happened (``at``, which a scribe may backdate),
redacted ones never: their text is gone from the record.

Texts here are raw (an entry's, a cluster's names): whoever draws them makes them harmless
(``domain.text.visible``), as for every text that reaches a terminal or a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from warroom.domain.chart_window import Window, column

#: The milestones marked, in the order they usually come.
MILESTONES = ("detected", "declared", "acknowledged", "identified", "mitigated", "resolved")
KINDS = ("milestone", "starred", "decision", "action", "rollout")


@dataclass(frozen=True)
class Marker:
    at: datetime
    kind: str  # one of KINDS
    label: str  # short: "declared", "★ decision", "rollout"
    text: str = ""  # what the chart shows when the marker is selected: the entry's text, the images


def markers(milestones: Mapping[str, datetime], entries: Iterable = (), rollouts: Iterable = ()) -> list[Marker]:
    """Every marker of an incident, in time order (a milestone before an entry of the same instant).

    ``entries``: timeline entries (``at``, ``kind``, ``text``, ``starred``, ``redacted``);
    ``rollouts``: :class:`~warroom.domain.rollouts.Rollout` (``namespace``, ``deployment``,
    ``revision``, ``at``, ``images_text``)."""
    out = [Marker(at, "milestone", name, f"{name} (milestone)")
           for name, at in milestones.items() if name in MILESTONES and at is not None]
    for e in entries:
        if e.redacted or not (e.starred or e.kind in ("decision", "action")):
            continue
        first = e.text.splitlines()[0] if e.text else ""
        label = f"★ {e.kind}" if e.starred else e.kind
        out.append(Marker(e.at, "starred" if e.starred else e.kind, label, first))
    seen = set()
    for r in rollouts:
        key = (r.namespace, r.deployment, r.revision)
        if r.at is None or key in seen:
            continue
        seen.add(key)
        out.append(Marker(r.at, "rollout", "rollout",
                          f"{r.namespace}/{r.deployment} revision {r.revision}: {r.images_text}"))
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(out, key=lambda m: (m.at, order[m.kind], MILESTONES.index(m.label) if m.kind == "milestone" else 0))


def recorded_rollouts(records: Iterable, until: datetime | None = None) -> list:
    """Every rollout the recorded readings saw (:class:`~warroom.domain.recording.Record` of stream
    ``rollout``), up to ``until``: a later revision replaced it in the pane, not on the chart."""
    from datetime import timedelta

    from warroom.domain.recording import SEP
    from warroom.domain.rollouts import Rollout
    from warroom.domain.times import parse_instant

    out = {}
    for r in records:
        if r.stream != "rollout" or r.value is None or (until is not None and r.at > until):
            continue
        _context, namespace, deployment = (r.key.split(SEP) + ["", "", ""])[:3]
        v = r.value
        try:
            at = parse_instant(v["at"])
            out.setdefault((r.key, v["revision"]), Rollout(
                namespace, deployment, v["revision"], v.get("rs", ""), at, timedelta(0), v.get("previous"),
                tuple(map(tuple, v.get("before", ()))), tuple(map(tuple, v.get("after", ())))))
        except (KeyError, TypeError, ValueError):
            continue  # a reading of an older or damaged shape: no marker, nothing else lost
    return list(out.values())


def within(all_markers: Sequence[Marker], window: Window) -> list[Marker]:
    return [m for m in all_markers if window.contains(m.at)]


def step(count: int, current: int | None, direction: int) -> int | None:
    """The marker selected after one step (``direction`` +1 next, -1 previous), wrapping around;
    the first (or the last) when none was selected; None when there are none."""
    if count <= 0:
        return None
    if current is None or not 0 <= current < count:
        return 0 if direction > 0 else count - 1
    return (current + direction) % count


def labels(shown: Sequence[Marker], window: Window, width: int) -> list[tuple[int, str]]:
    """``(column, label)`` for each column with markers on a chart ``width`` columns wide: their
    numbers (1 …; ``4,5`` for two in one column), with the short label too where that fits before the
    next marker's column (and there is one marker only)."""
    cols = [column(m.at, window, width) for m in shown]
    groups: dict[int, list[int]] = {}
    for i, col in enumerate(cols):
        if col is not None:
            groups.setdefault(col, []).append(i)
    out = []
    places = sorted(groups)
    for k, col in enumerate(places):
        numbers = ",".join(str(i + 1) for i in groups[col])
        following = places[k + 1] if k + 1 < len(places) else width + 2
        full = f"{numbers} {shown[groups[col][0]].label}"
        fits = len(groups[col]) == 1 and col + len(full) < following and col + len(full) <= width
        out.append((col, full if fits else numbers))
    return out

"""The review's charts: each recorded panel around the incident, with the incident's moments on it, as
SVG (or PNG) files beside the markdown, and the section of the markdown that links them.

``warroom export -o FILE.md --charts svg``. Drawn with matplotlib — imported only here, only when
charts are asked for (the optional extra ``warroom[charts]``; without it, one line says so). Its
object API (``Figure``), never ``pyplot``: no global state, no GUI backend. The numbers are the
recorded readings (what the war room showed, kept in the database): the charts need no Prometheus,
work on a copied database and for drills alike. The same pure modules as the terminal chart decide
the window, the lines and the markers (``domain/chart_window``, ``chart_lines``, ``chart_markers``);
lines are told apart by their style and the legend, not colour alone. Files are written 0600,
atomically (``export_file.write_private``). Times are UTC, as in the rest of the review.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import timezone
from pathlib import Path
from typing import Iterable

from warroom.domain import chart_lines, chart_markers
from warroom.domain.chart_window import Window, around, time_ticks, value_range, value_ticks
from warroom.domain.panels import Panel
from warroom.domain.text import one_line

FORMATS = ("svg", "png")
MISSING = "charts need matplotlib: pip install 'warroom[charts]' (or leave out --charts)"
#: (line style, width, colour) by role: solid series, dotted baseline, dashed thresholds
STYLE = {"current": ("-", 2.0, "#1f5fbf"), "baseline": (":", 1.6, "#555555"), "warn": ((0, (6, 3)), 1.2, "#b8860b"),
         "crit": ((0, (2, 2)), 1.2, "#c0392b"), "compare": ("-.", 1.2, "#8e44ad")}


class ChartsUnavailable(Exception):
    """matplotlib is not installed: ``str()`` is the one line to show."""


def incident_window(incident, entries: Iterable, timeline) -> Window:
    """From 15 minutes before detection to 15 minutes after the resolution (else the last thing recorded)."""
    ends = [incident.start] + [e.at for e in entries] + list(incident.milestones.values())
    if timeline.span is not None:
        ends.append(timeline.span[1])
    end = incident.milestones.get("resolved") or max(ends)
    return around(incident.start, end)


def panel_titles(timeline) -> list[str]:
    """The recorded panels, in the pane's order."""
    order: dict[str, int] = {}
    for r in timeline.records:
        if r.stream == "panel" and isinstance(r.value, dict):
            order.setdefault(r.key, r.value.get("i", len(order)))
    return sorted(order, key=lambda t: (order[t], t))


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "panel"


def render(title: str, unit: str, lines: list, shown: list, window: Window, fmt: str) -> bytes:
    """One chart as SVG or PNG bytes."""
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
        from matplotlib.ticker import FixedLocator, FuncFormatter
    except ImportError:
        raise ChartsUnavailable(MISSING) from None
    from warroom.domain.units import format_value

    with rc_context({"svg.hashsalt": "warroom", "svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(10, 3.6), dpi=110, layout="constrained")
        ax = fig.add_subplot()
        for line in lines:
            style, width, colour = STYLE[line.role]
            # recorded readings are kept when they change: each value holds until the next
            ax.plot(line.xs, line.ys, linestyle=style, linewidth=width, color=colour, label=one_line(line.label),
                    drawstyle="steps-post" if line.role in ("current", "baseline") else "default")
        lo, hi = value_range([y for line in lines for y in line.ys])
        ax.set_ylim(lo, hi)
        ax.yaxis.set_major_locator(FixedLocator([v for v, _ in value_ticks(lo, hi, unit, 5)]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: one_line(format_value(v, unit))))
        ticks = time_ticks(window, timezone.utc)
        ax.set_xlim(0, window.span.total_seconds())
        ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks])
        ax.set_xlabel("UTC")
        ax.grid(True, alpha=0.25)
        for i, m in enumerate(shown):
            x = window.seconds(m.at)
            ax.axvline(x, color="#2e7d32", linewidth=0.9)
            ax.text(x, hi, f" {i + 1} {m.label}", rotation=90, va="top", ha="left", fontsize=7, color="#2e7d32",
                    parse_math=False)
        ax.set_title(one_line(title), loc="left", parse_math=False)
        ax.legend(loc="upper left", fontsize=7, framealpha=0.85)
        out = io.BytesIO()
        with warnings.catch_warnings():  # "glyph missing" for ␛ (an escape made visible): drawn as a box
            warnings.simplefilter("ignore", UserWarning)
            fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": "warroom"})
    return out.getvalue()


def write_charts(markdown: Path, incident, entries: list, timeline, fmt: str = "svg") -> str:
    """Write each recorded panel's chart beside ``markdown`` (``<stem>-<panel>.svg``); return the
    review's ``## Charts`` section linking them ("" when nothing was recorded). Raises
    :class:`ChartsUnavailable` without matplotlib, ``ExportError`` when a file cannot be written."""
    from warroom.domain import markdown as md
    from warroom.export_file import write_private

    titles = panel_titles(timeline)
    if not titles:
        return ""
    window = incident_window(incident, entries, timeline)
    shown = chart_markers.within(chart_markers.markers(
        incident.milestones, entries, chart_markers.recorded_rollouts(timeline.records)), window)
    state = timeline.state_at(window.end)
    out = ["## Charts", "",
           f"Each panel from {window.start:%H:%M} to {window.end:%H:%M} UTC (recorded readings), "
           "with the incident's moments:", ""]
    used: set[str] = set()
    for title in titles:
        current, baseline = chart_lines.recorded_series(timeline, title, window)
        unit = (state.get(("panel", title)) or {}).get("unit", "")
        panel = Panel(title=title, query="(recorded)", unit=unit)
        lines = chart_lines.lines(panel, current, baseline, window, recorded=True)
        name = f"{markdown.stem}-{slug(title)}"
        while name in used:
            name += "-"
        used.add(name)
        path = markdown.with_name(f"{name}.{fmt}")
        data = render(title, unit, lines, shown, window, fmt)
        write_private(path, data)
        out.append(f"![{md.inline(title)}]({path.name})")
        out.append("")
    if shown:
        out.append("Markers: " + " · ".join(f"{i + 1} {m.label} {m.at:%H:%M}" for i, m in enumerate(shown)))
        out.append("")
    return "\n".join(out)

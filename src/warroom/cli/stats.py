"""``warroom stats``: numbers across incidents, drills apart, against the runbooks' objectives.

Thin: it reads the incidents of the window and their timelines, scores the drills (as their
review does), and hands everything to :mod:`warroom.domain.stats`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.cli.common import CliError
from warroom.cli.output import write, write_json

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def cmd_stats(store: IncidentStore, args, now) -> int:
    from warroom.domain import stats as st

    severities = [s.strip() for text in args.severity or () for s in text.split(",") if s.strip()]
    try:
        chosen = st.in_window(await store.incidents(include_resolved=True), now, args.since, severities)
    except st.StatsError as exc:
        raise CliError(str(exc)) from None
    samples = []
    for incident in sorted(chosen, key=lambda i: i.id):
        entries = await store.entries(incident.id)
        if incident.drill:
            samples.append(await _drill_sample(store, incident, entries, now))
        else:
            samples.append(st.sample(incident, entries, now))
    stats = st.summarise(samples, now, args.since, severities)
    if args.format == "json":
        import json

        from warroom.domain.stats_output import to_json_data

        write_json(json.dumps(to_json_data(stats), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        from warroom.domain.stats_output import to_csv

        write(to_csv(stats))
    else:
        from warroom.domain.stats_output import to_markdown

        write(to_markdown(stats))
    return 0


async def _drill_sample(store: IncidentStore, incident, entries, now):
    """A drill judged as its report is: at the drill's own last moment, with its score."""
    from warroom.domain.stats import sample
    from warroom.drill.library import report_time
    from warroom.drill.scenario import ScenarioError, parse_scenario
    from warroom.drill.scoring import drill_report

    at = report_time(entries, now)
    stored = await store.drill_scenario(incident.id)
    score = None
    if stored is not None:
        try:
            scenario = parse_scenario(stored.source, stored.name, name=stored.name)
        except ScenarioError:
            scenario = None  # the review says so; the stats count the drill without a score
        if scenario is not None:
            report = drill_report(scenario, incident, entries, at)
            score = (report.passed, report.judged)
    return sample(incident, entries, at, score)

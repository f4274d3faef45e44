"""``warroom stats`` against figures computed by hand, for incidents written through the CLI.

The incidents (policy ``sev``: SEV-1 acknowledge 5 min, resolve 1 h, an update every 15 min;
SEV-2 15 min, 4 h, 30 min), minutes after ``T`` (five days ago), all backdated with ``--at``:

    A SEV-1  detected 0, declared 2, ack 4, updates 10 24 38, mitigated 30, resolved 40
    B SEV-1  detected 0, declared 5, ack 12, update 25, mitigated 30, resolved 48
    C SEV-2  declared 0 (detection unknown), ack 10, updates 20 50 80, mitigated 60, resolved 100
    D SEV-2  detected an hour and 10 minutes ago, declared an hour ago, nothing since (open)
    E SEV-1  declared 100 days ago, resolved: outside the 90-day window
    F a SEV-1 drill (bad-deploy), acknowledged after 9 minutes: counted apart

By hand (durations from detection, else declaration):
    detect       A 2  B 5  D 10          → median 5, p90 10, mean 5m40s
    acknowledge  A 4  B 12 C 10          → median 10, p90 12, mean 8m40s
    mitigate     A 30 B 30 C 60          → median 30, p90 60, mean 40m
    resolve      A 40 B 48 C 100         → median 48, p90 100, mean 62m40s
    SLA acknowledge: A met, B missed (12 > 5), C met, D breached → 2/4 = 50.0 %
    SLA resolve:     A met, B met, C met, D pending             → 3/3 = 100.0 %, 1 pending
    cadence kept: A (8, 14, 14, 2 min) yes; B (20 > 15) no; C (20, 30, 30, 20 ≤ 30) yes; D (60 > 30) no → 2/4
    updates sent 3 + 1 + 3 + 0 = 7; first update within 15 min: A 8 yes, B 20 no, C 20 no, D none after 60 → 1/4
    objectives (critical = SEV-1 = A, B): MTTD (2+5)/2 = 3m30s ≥ 3m not met; MTTA 8m40s ≥ 5m not met;
    MTTR (40+48)/2 = 44m < 45m met; first update ≤ 15 min: 1/2 = 50 % not met.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

pytestmark = pytest.mark.engines("sqlite", "postgres")


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%MZ")


def build(wr, cli_db) -> dict[str, int]:
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    T = now - timedelta(days=5)
    at = lambda m: iso(T + timedelta(minutes=m))  # noqa: E731
    ids = {}

    def incident(name, severity, *, detected, declared, ack, updates, mitigated, resolved):
        args = ["declare", f"incident {name}", "-s", severity, "--declared-at", declared]
        if detected is not None:
            args += ["--detected-at", detected]
        ids[name] = i = wr(*args).stdout.strip()
        if ack is not None:
            wr("ack", "-i", i, "--at", ack)
        for u in updates:
            wr("log", "-i", i, "-k", "comms", "--at", u, f"update from {name}")
        if mitigated is not None:
            wr("status", "-i", i, "monitoring", "--at", mitigated)
        if resolved is not None:
            wr("status", "-i", i, "resolved", "--at", resolved)

    incident("A", "SEV-1", detected=at(0), declared=at(2), ack=at(4), updates=[at(10), at(24), at(38)],
             mitigated=at(30), resolved=at(40))
    incident("B", "SEV-1", detected=at(0), declared=at(5), ack=at(12), updates=[at(25)], mitigated=at(30),
             resolved=at(48))
    incident("C", "SEV-2", detected=None, declared=at(0), ack=at(10), updates=[at(20), at(50), at(80)],
             mitigated=at(60), resolved=at(100))
    incident("D", "SEV-2", detected=iso(now - timedelta(minutes=70)), declared=iso(now - timedelta(minutes=60)),
             ack=None, updates=[], mitigated=None, resolved=None)
    old = now - timedelta(days=100)
    incident("E", "SEV-1", detected=None, declared=iso(old), ack=iso(old + timedelta(minutes=1)), updates=[],
             mitigated=None, resolved=iso(old + timedelta(minutes=20)))
    ids["F"] = str(asyncio.run(_drill(cli_db, now - timedelta(days=2))))
    return ids


async def _drill(location, t0: datetime) -> int:
    """A drill, as ``warroom drill`` stores one (the CLI cannot run the TUI here)."""
    from warroom.domain import incident as inc
    from warroom.domain.presets import SEV
    from warroom.drill.library import load
    from warroom.store import open_store
    from warroom.store.interface import DrillScenario

    _, source = load("bad-deploy")
    async with open_store(location) as store:
        i = await store.declare("Drill: checkout crash-loops", SEV, "SEV-1", now=t0, author="warroom",
                                detected_at=t0, scenario=DrillScenario("bad-deploy", source))
        ack = t0 + timedelta(minutes=9)
        await store.change(i.id, lambda x: inc.acknowledge(x, ack, "ic"), author="ic", at=ack, now=ack)
        return i.id


def test_stats_match_the_figures_computed_by_hand(wr, cli_db) -> None:
    ids = build(wr, cli_db)
    data = json.loads(wr("stats", "--format", "json").stdout)
    real = data["real"]
    assert real["count"] == 4
    assert [(s["severity"], s["incidents"], s["open"]) for s in real["severities"]] == [("SEV-1", 2, 0),
                                                                                        ("SEV-2", 2, 1)]
    m = 60
    expected = {"detect": (3, 5 * m, 10 * m, 5 * m + 40), "acknowledge": (3, 10 * m, 12 * m, 8 * m + 40),
                "identify": (0, None, None, None), "mitigate": (3, 30 * m, 60 * m, 40 * m),
                "resolve": (3, 48 * m, 100 * m, 62 * m + 40)}
    for name, (count, median, p90, mean) in expected.items():
        d = real["durations"][name]
        assert (d["incidents"], d["median_seconds"], d["p90_seconds"], d["mean_seconds"]) == (count, median, p90,
                                                                                               mean), name
    assert real["sla_targets"]["acknowledge"] == {"rate": 0.5, "hits": 2, "judged": 4, "pending": 0}
    assert real["sla_targets"]["resolve"] == {"rate": 1.0, "hits": 3, "judged": 3, "pending": 1}
    assert real["cadence_kept"] == {"rate": 0.5, "hits": 2, "judged": 4, "pending": 0}
    assert real["updates_sent"] == 7
    assert real["first_update_within_15m"] == {"rate": 0.25, "hits": 1, "judged": 4, "pending": 0}
    objectives = {o["objective"]: (o["actual"], o["incidents"], o["met"]) for o in data["objectives"]}
    assert objectives == {"mttd": (210, 2, False), "mtta": (520, 3, False), "mttr": (44 * m, 2, True),
                          "comms15": (0.5, 2, False)}

    drills = data["drills"]  # the slow drill touches none of the real figures above
    assert drills["count"] == 1 and drills["durations"]["acknowledge"]["median_seconds"] == 9 * m
    [score] = drills["scores"]
    review = wr("export", "-i", ids["F"]).stdout  # the same score as the drill's own review
    assert f"Score: **{score['passed']}/{score['judged']}**" in review
    assert score["incident"] == f"#{ids['F']}" and score["judged"] >= 1


def test_markdown_csv_and_a_severity_filter(wr, cli_db) -> None:
    build(wr, cli_db)
    text = wr("stats").stdout
    assert "Incidents declared from" in text and ": 4 real, 1 drill." in text
    assert "| detect (MTTD) | 3 | 5m | 10m | 5m40s |" in text
    assert "| resolve (MTTR) | 3 | 48m | 1h40m | 1h02m |" in text
    assert "| acknowledge | 50.0 % (2/4) |" in text and "| resolve | 100.0 % (3/3, 1 pending) |" in text
    assert "| MTTR under 45 min (critical incidents) | 44m (mean of 2) | ✅ met |" in text
    assert "| MTTD under 3 min (critical incidents) | 3m30s (mean of 2) | ❌ not met |" in text
    assert "## Drills (counted apart)" in text

    rows = list(csv.DictReader(io.StringIO(wr("stats", "-f", "csv").stdout)))
    figure = {(r["scope"], r["severity"], r["measure"], r["statistic"]): r["value"] for r in rows}
    assert figure[("real", "", "acknowledge", "p90_seconds")] == "720"
    assert figure[("real", "SEV-2", "incidents", "open")] == "1"
    assert figure[("objective", "", "mttr", "met")] == "true"

    sev1 = json.loads(wr("stats", "-s", "sev1", "-f", "json").stdout)
    assert sev1["real"]["count"] == 2 and sev1["drills"]["count"] == 1
    assert sev1["real"]["durations"]["detect"]["median_seconds"] == 210  # (2 + 5) / 2 minutes
    assert json.loads(wr("stats", "--since", "200d", "-f", "json").stdout)["real"]["count"] == 5  # E too


@pytest.mark.parametrize("args, message", [
    (["stats", "-s", "SEV-9"], "unknown severity 'SEV-9' (levels: "),
    (["stats", "--since", "soon"], "not an age: 'soon'"),
    (["stats", "-f", "xml"], "invalid choice: 'xml'"),
])
def test_bad_filters_are_one_line(wr, args, message) -> None:
    proc = wr(*args, ok=False)
    assert proc.returncode == 1 and message in proc.stderr and proc.stderr.count("\n") == 1

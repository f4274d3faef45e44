"""``warroom drill``: the scenario list, a broken scenario file, and a drill incident from the command line."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from warroom.drill.library import load
from warroom.store import DrillScenario, Store


@pytest.fixture
def wr(warroom_exe, cli_env):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([warroom_exe, *args], env=cli_env, capture_output=True, text=True, timeout=60)
    return run


def test_list_shows_the_bundled_scenarios(wr):
    proc = wr("drill", "--list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["bad-deploy", "db-pool", "payment-processor"]
    assert "SEV-2" in lines[0] and "45m" in lines[0] and "Checkout crash-loops" in lines[0]


def test_a_broken_scenario_file_names_the_file_the_line_and_the_problem(wr, tmp_path):
    bad = tmp_path / "my-drill.toml"
    bad.write_text('title = "Mine"\n\n[[events]]\nat = "soon"\ndo = "inject"\ntext = "hello"\n')
    proc = wr("drill", str(bad))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == (f"warroom: error: {bad}:4: events[0].at: not a duration: 'soon' "
                                   "(use 30s, 5m, 1h30m)")


@pytest.mark.parametrize(("args", "message"), [
    (["drill", "no-such-drill"], "no such scenario (bundled: bad-deploy, db-pool, payment-processor"),
    (["drill", "--speed", "0"], "speed must be above 0"),
])
def test_bad_arguments_are_one_clear_line(wr, args, message):
    proc = wr(*args)
    assert proc.returncode != 0 and message in proc.stderr


def test_a_drill_is_listed_as_a_drill_exported_with_its_report_and_never_the_active_incident(wr, db_path):
    scenario, source = load("bad-deploy")
    t0 = datetime.now(timezone.utc) - timedelta(minutes=50)  # past the scenario's 40 minutes to resolve

    async def seed() -> int:
        from warroom.domain import incident as inc
        from warroom.domain.presets import SEV

        async with Store.open(db_path) as store:
            i = await store.declare(scenario.title, SEV, "SEV-2", now=t0, author="warroom",
                                    detected_at=t0 - timedelta(minutes=4), scenario=DrillScenario("bad-deploy", source))
            await store.change(i.id, lambda x: inc.acknowledge(x, t0 + timedelta(minutes=1), "ic"), author="ic",
                               at=t0 + timedelta(minutes=1), now=t0 + timedelta(minutes=1))
            await store.append(i.id, "roll back checkout to 2.4.0", author="ic", now=t0 + timedelta(minutes=3),
                               kind="decision")
            return i.id

    incident_id = asyncio.run(seed())
    listing = wr("list").stdout
    assert f"#{incident_id}" in listing and "[DRILL] Checkout crash-loops" in listing
    assert "*" not in listing.split(f"#{incident_id}")[0]  # not marked active
    log = wr("log", "this is about a real incident")
    assert log.returncode == 1 and "no active incident" in log.stderr  # never lands in the drill
    export = wr("export", "-i", str(incident_id))
    assert export.returncode == 0, export.stderr
    text = export.stdout
    assert text.startswith("# DRILL — Incident") and "> **This was a drill.**" in text
    report = text.split("## Drill report", 1)[1].split("\n## ", 1)[0]
    assert "Scenario: **Checkout crash-loops after the 2.4.1 deploy** (`bad-deploy`)" in report
    assert "| SLA: acknowledge within 15 min | met after 5m | ✅ pass |" in report
    assert "| Right mitigation: Roll back checkout to 2.4.0 | logged after 7m: roll back checkout to 2.4.0 | ✅ pass |" \
        in report
    assert "| Expected: resolve within 40m | never | ❌ fail |" in report


def test_prune_deletes_old_readings_and_keeps_timelines(wr, db_path):
    from warroom.domain import incident as inc
    from warroom.domain.presets import SEV
    from warroom.domain.recording import Record

    t0 = datetime.now(timezone.utc) - timedelta(days=120)

    async def seed() -> tuple[int, int]:
        async with Store.open(db_path) as store:
            old = await store.declare("old one", SEV, "SEV-2", now=t0, author="ic")
            await store.record(old.id, [Record(t0, "panel", "errors", {"v": 1})])
            await store.change(old.id, lambda x: inc.change_status(x, "resolved", t0 + timedelta(hours=1)),
                               author="ic", at=t0 + timedelta(hours=1), now=t0 + timedelta(hours=1), kind="status")
            live = await store.declare("live one", SEV, "SEV-2", now=t0, author="ic")
            await store.record(live.id, [Record(t0, "panel", "errors", {"v": 2})])
            return old.id, live.id

    old_id, live_id = asyncio.run(seed())
    proc = wr("prune", "--older-than", "90d")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"deleted 1 readings of 1 incident (#{old_id}); their timelines are kept"
    assert "old one" in wr("export", "-i", str(old_id)).stdout
    bad = wr("prune", "--older-than", "soon")
    assert bad.returncode == 1 and "not an age: 'soon'" in bad.stderr

    async def left() -> tuple[int, int]:
        async with Store.open(db_path) as store:
            return len(await store.readings(old_id)), len(await store.readings(live_id))

    assert asyncio.run(left()) == (0, 1)

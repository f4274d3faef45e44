"""Drills in the war room: the scripted incident's injects, the mitigation it waits for, its end and
report, the clock's pause and speed keys, and the first-run offer of one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store import Store
    from warroom.ui.app import WarRoomApp


async def declare_drill(app: WarRoomApp, store: Store) -> int:
    """The drill's own incident (and its briefing as the first entry)."""
    from warroom.domain.presets import preset
    from warroom.store import DrillScenario

    run, sc = app.drill, app.drill.scenario
    policy = preset(sc.policy)
    speed = app.drill_clock.speed if app.drill_clock is not None else 1.0
    incident = await store.declare(
        sc.title, policy, sc.severity or policy.default_level.key, now=run.start, author=app.author,
        detected_at=run.start + sc.detected, services=sc.services, impact=sc.impact,
        scenario=DrillScenario(sc.name, run.source, speed))
    if sc.briefing:
        await store.append(incident.id, f"Drill briefing: {sc.briefing}", author="warroom", now=run.start,
                           kind="system", key="drill:briefing")
    return incident.id


def drill_label(app: WarRoomApp, now: datetime) -> str:
    """``5× 00:12:30/00:45:00`` in the header: the drill's speed and how far it has run."""
    if app.drill is None:
        return ""
    from warroom.domain.times import format_clock

    speed = app.drill_clock.label if app.drill_clock is not None else ""
    return (f"{speed} {format_clock(max(now - app.drill.start, timedelta(0)))}"
            f"/{format_clock(app.drill.scenario.duration)}").strip()


def drill_tick(app: WarRoomApp) -> None:
    """Injects come due, the recovery follows the mitigation once it is logged, and the end is scored."""
    from warroom.drill.scoring import find_mitigation

    run, session = app.drill, app.session
    room = session.room
    if room.incident is None or room.incident.id != run.incident_id or room.drill_ended:
        return
    now = app.now()
    found = find_mitigation(run.scenario, room.entries.values())
    run.mitigated_at = found.logged_at if found else None  # the scripted recovery starts when it was typed
    for e in run.state.happened(now):
        key = f"drill:inject:{e.line}"
        if e.do == "inject" and key not in room.written:
            session.write_keyed(key, f"INJECT: {e.text}", run.start + e.at)
            app.notify(e.text, title="Drill inject", severity="warning", timeout=30)
    if now >= run.state.ends_at or room.incident.is_resolved:
        end_drill(app, now)


def end_drill(app: WarRoomApp, now: datetime) -> None:
    from warroom.drill.scoring import drill_report
    from warroom.ui.screens.drill import DrillReportScreen

    room = app.session.room
    report = drill_report(app.drill.scenario, room.incident, room.entries.values(), now)
    app.drill_report = report
    room.drill_ended = True
    if app.drill_clock is not None:
        app.drill_clock.pause()
    app.session.write_keyed("drill:end", f"Drill ended: {report.score} checks passed", now)
    app.push_screen(DrillReportScreen(report))


def in_drill(app: WarRoomApp) -> bool:
    """True (and said) in a drill: it runs its own incident only."""
    if app.drill is not None:
        app.notify("This is a drill: it runs its own incident only. Quit it (ctrl+q) to open real ones.",
                   title="Drill", severity="warning")
        return True
    return False


def pause(app: WarRoomApp) -> None:
    if app.drill_clock is None:
        return
    paused = app.drill_clock.toggle()
    app.notify("Drill paused: every clock stops. F11 resumes." if paused else "Drill resumed.", title="Drill")
    app.session.render_clock()


def speed(app: WarRoomApp) -> None:
    if app.drill_clock is None:
        return
    app.notify(f"Drill at {app.drill_clock.faster():g}× speed.", title="Drill")
    app.session.render_clock()


def offer_drill(app: WarRoomApp, scenarios: list[tuple[str, str]]) -> None:
    """Nothing configured and no incident yet: offer a drill (and say how to connect the real thing)."""
    from warroom.ui.screens.drill import WelcomeScreen

    def chosen(choice: str | None) -> None:
        if choice and choice.startswith("drill:"):
            app.start_drill = choice.split(":", 1)[1]
            app.exit(0)
        elif choice == "declare":
            app.action_declare()
    app.push_screen(WelcomeScreen(scenarios), chosen)

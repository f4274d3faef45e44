"""The command palette's war room commands (ctrl+p): every action, found by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from textual.app import SystemCommand

from warroom.domain.detected_offer import COMMAND as DETECTED_COMMAND
from warroom.domain.detected_offer import detected_offer
from warroom.ui.flows import entries as entry_flows
from warroom.ui.flows import export as export_flows
from warroom.ui.flows import incident as incident_flows
from warroom.ui.messages import PinReading

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


#: Textual's own commands that harm the room: Maximize fills the screen with one pane (hatching
#: around it, the rest of the room gone until Minimize is found); Screenshot writes the screen
#: with the incident's text to a file others may read.
HARMFUL = frozenset({"Maximize", "Minimize", "Screenshot"})


def harmless(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands without the harmful ones (Theme, Quit and Keys stay)."""
    return (c for c in commands if c.title not in HARMFUL)


def war_room_commands(app: WarRoomApp) -> Iterator[SystemCommand]:
    yield SystemCommand("Declare an incident", "Title, severity and detection time", app.action_declare)
    yield SystemCommand("Switch incident", "Open another incident", app.action_switch)
    yield SystemCommand("Acknowledge", "Record the acknowledged milestone", app.action_ack)
    yield SystemCommand("Change status", "investigating … resolved", app.action_status)
    yield SystemCommand("Change severity", "Raise or lower the severity", app.action_severity)
    yield SystemCommand("Assign a role", "IC, tech lead, comms lead, scribe", app.action_assign)
    yield SystemCommand("Export markdown", "Write the post-incident review draft (full; F9)", app.action_export)
    yield SystemCommand("Export markdown, light review", "The short review: summary, timeline, actions",
                        lambda: app.run_flow(export_flows.export, "light"))
    yield SystemCommand("Copy status summary", "For Slack or the status page", app.action_copy_summary)
    yield SystemCommand("Compose a status update", "Templates, webhooks, cadence", app.action_compose)
    yield SystemCommand("Toggle UTC / local time", "Timeline times", app.action_toggle_utc)
    yield SystemCommand("Toggle high-contrast theme", "For projectors", app.action_toggle_contrast)
    yield SystemCommand("Filter timeline by kind", "note, action, decision …",
                        lambda: app.run_flow(entry_flows.pick_filter))
    yield SystemCommand("Search timeline", "Show matching entries", lambda: app.run_flow(entry_flows.search))
    yield SystemCommand("Mark an action done", "Or open it again (d on a selected action)",
                        lambda: app.run_flow(entry_flows.pick_action))
    yield SystemCommand("Next pane (small screens)", "SLA clock, metrics, pods", app.action_next_pane)
    yield SystemCommand("Keys and timeline grammar", "Help", app.action_help)
    yield SystemCommand("Alerts of this incident", "Firing and resolved, silence or expire (ctrl+r)",
                        app.action_alerts)
    room = app.session.room
    if not app.read_only and detected_offer(room.incident, room.entries.values(), app.now()) is not None:
        yield SystemCommand(DETECTED_COMMAND, "Set the detected milestone to the first attached alert's start",
                            lambda: incident_flows.detected_from_earliest_alert(app))
    yield SystemCommand("Last notices", "Injects, reminders, alerts and errors (ctrl+l)", app.action_notices)
    if app.drill is not None:
        yield SystemCommand("Pause / resume the drill", "Every clock stops", app.action_drill_pause)
        yield SystemCommand("Drill speed", "1×, 2×, 5×, 10×, 30×, 60×", app.action_drill_speed)
    if app.metrics_feed is not None:
        yield SystemCommand("Detected = earliest firing alert", "Set the detected milestone from Prometheus alerts",
                            app.action_detected_from_alerts)
        for p in app.metrics_feed.panels:
            yield SystemCommand(f"Chart: {p.title}", "The metric against its baseline, with the incident's moments",
                                lambda title=p.title: app.action_chart(title))
            yield SystemCommand(f"Pin reading: {p.title}", "Log the panel's current value vs baseline",
                                lambda title=p.title: app.post_message(PinReading(title)))

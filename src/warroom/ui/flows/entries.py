"""What the scribe does to entries besides typing them: star, edit (the old text kept as a
revision), redact (with a reason), filter and search the timeline, tick the checklist, and pin a
pod or a metric reading into the timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.domain.timeline import KINDS, Entry
from warroom.ui.flows.view import view_entry
from warroom.ui.modes import unavailable
from warroom.ui.widgets.timeline import TimelinePane

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp
    from warroom.ui.messages import PinPod, PinReading
    from warroom.ui.widgets.sla import ChecklistToggled
    from warroom.ui.widgets.timeline import EntryCommand


def entry_command(app: WarRoomApp, event: EntryCommand) -> None:
    session = app.session
    pane = app.query_one(TimelinePane)
    if event.action == "view":
        return view_entry(app, event.entry_id)
    if event.action == "filter":
        app.run_flow(pick_filter)
        return
    if event.action == "search":
        app.run_flow(search)
        return
    if event.entry_id is None or not session.need_incident():
        return
    if _refused(app, event.action):
        return
    entry = session.room.entries[event.entry_id]
    if event.action == "star":
        session.enqueue("star", lambda: session.store.star(entry.id, not entry.starred), session.apply_one)
    elif event.action == "edit":
        app.run_flow(edit, entry)
    elif event.action == "redact":
        app.run_flow(redact, entry)
    pane.focus()


async def edit(app: WarRoomApp, entry: Entry) -> None:
    from warroom.ui.screens.modals import PromptScreen

    session = app.session
    if entry.redacted:
        app.notify("A redacted entry cannot be edited.", severity="warning")
        return
    text = await app.push_screen_wait(
        PromptScreen(f"Edit entry ({entry.kind}, {entry.at.astimezone(app.local):%H:%M:%S})", value=entry.text,
                     help="Enter saves (the previous text is kept as a revision) · Esc cancels"))
    if text is None or text == entry.text:
        return
    session.enqueue("edit", lambda: session.store.edit(entry.id, by=app.author, now=app.now(), text=text),
                    session.apply_one)


async def redact(app: WarRoomApp, entry: Entry) -> None:
    from warroom.ui.screens.modals import PromptScreen

    session = app.session
    if entry.redacted:
        app.notify("Already redacted.", severity="warning")
        return
    reason = await app.push_screen_wait(
        PromptScreen("Redact entry — why?", placeholder="e.g. secret pasted, wrong incident",
                     help="The text disappears from views and exports; the reason is shown instead."))
    if not reason or not reason.strip():
        return
    session.enqueue("redact", lambda: session.store.redact(entry.id, reason=reason, by=app.author, now=app.now()),
                    session.apply_one)


async def pick_filter(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PickerScreen

    pane = app.query_one(TimelinePane)
    options = [("", "all kinds")] + [(k, k) for k in KINDS]
    kind = await app.push_screen_wait(PickerScreen("Show only", options, selected=pane.filter.kind or ""))
    if kind is not None:
        pane.set_filter(kind=kind)


async def search(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PromptScreen

    pane = app.query_one(TimelinePane)
    text = await app.push_screen_wait(PromptScreen("Search the timeline", value=pane.filter.search,
                                                   help="Enter filters · empty shows everything"))
    if text is not None:
        pane.set_filter(search=text.strip())


def toggle_check(app: WarRoomApp, event: ChecklistToggled) -> None:
    """A tick is an action entry; unticking redacts it (the history keeps both)."""
    session = app.session
    if _refused(app, "tick") or not session.need_incident():
        return
    incident = session.room.incident
    item = incident.level.checklist[event.index]
    history = session.room.check_history(event.index)
    if history and not history[-1].redacted:
        last = history[-1]
        session.enqueue(f"untick {item}", lambda: session.store.redact(
            last.id, reason="checklist item unticked", by=app.author, now=app.now()), session.apply_one)
    else:
        key = f"check:{incident.level.key}:{event.index}:{len(history)}"
        session.enqueue(f"tick {item}", lambda: session.store.append(
            incident.id, f"Checklist ✓ {item}", author=app.author, now=app.now(), kind="action", key=key),
            session.apply_one)


def pin_pod(app: WarRoomApp, event: PinPod) -> None:
    from warroom.domain.pod_events import describe_pod

    session = app.session
    if _refused(app, "pin") or not session.need_incident():
        return
    multi = app.pods_feed is not None and len(app.pods_feed.views) > 1
    text = describe_pod(event.row, app.now(), event.context if multi else "")
    session.append_note(text)
    app.notify(f"Pinned: {text}", title="Timeline")


def pin_reading(app: WarRoomApp, event: PinReading) -> None:
    from warroom.domain.baseline import describe
    from warroom.domain.times import format_duration

    if _refused(app, "pin"):
        return
    feed = app.metrics_feed
    view = feed.view.panel(event.title) if feed is not None else None
    if view is None or view.reading is None or not app.session.need_incident():
        app.notify("No reading to pin yet.", severity="warning")
        return
    text = describe(view.reading)
    age = view.stale_for(app.now(), feed.stale_limit)
    if view.error:
        text += f" [stale: {view.error}]"
    elif age is not None:
        text += f" [stale: no answer for {format_duration(age)}]"
    app.session.append_note(text)
    app.notify(f"Pinned: {text}", title="Timeline")


def _refused(app: WarRoomApp, action: str) -> bool:
    """True (and said) when this mode does not allow ``action`` (a read-only view writes nothing)."""
    why = unavailable(app, action)
    if why:
        app.notify(why, severity="warning")
    return bool(why)

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
    elif event.action == "done":
        toggle_done(app, entry)
    pane.focus()


def toggle_done(app: WarRoomApp, entry: Entry) -> None:
    """An action item marked done (now, by the author) or open again; anything else says why not."""
    session = app.session
    if entry.kind != "action":
        app.notify(f"Only an action item is marked done (this is a {entry.kind}).", severity="warning")
        return
    if entry.redacted:
        app.notify("A redacted action cannot be marked done.", severity="warning")
        return
    done = entry.done_at is None
    session.enqueue("done" if done else "reopen",
                    lambda: session.store.set_action_done(entry.id, done, by=app.author, now=app.now()),
                    session.apply_one)


async def pick_action(app: WarRoomApp) -> None:
    """The palette's way to an action item: the incident's actions, open ones first; the one picked
    is marked done, or open again."""
    from rich.text import Text

    from warroom.domain.text import one_line
    from warroom.ui.screens.modals import PickerScreen

    session = app.session
    if _refused(app, "done") or not session.need_incident():
        return
    actions = [e for e in session.room.entries.values() if e.kind == "action" and not e.redacted]
    if not actions:
        app.notify("No action items in this incident yet (/a @owner what by WHEN).", severity="warning")
        return
    actions.sort(key=lambda e: (e.done_at is not None, e.at))
    options = [(str(e.id), Text(f"{'☑ done' if e.done_at else '☐ open'}  "
                                f"{'@' + e.owner + '  ' if e.owner else ''}{one_line(e.text)}")) for e in actions]
    picked = await app.push_screen_wait(PickerScreen("Mark done (or open again)", options))
    if picked is not None:
        toggle_done(app, session.room.entries[int(picked)])


async def edit(app: WarRoomApp, entry: Entry) -> None:
    from warroom.ui.screens.modals import PromptScreen

    session = app.session
    if entry.redacted:
        app.notify("A redacted entry cannot be edited.", severity="warning")
        return
    if entry.kind == "action":
        return await _edit_action(app, entry)
    text = await app.push_screen_wait(
        PromptScreen(f"Edit entry ({entry.kind}, {entry.at.astimezone(app.local):%H:%M:%S})", value=entry.text,
                     help="Enter saves (the previous text is kept as a revision) · Esc cancels"))
    if text is None or text == entry.text:
        return
    session.enqueue("edit", lambda: session.store.edit(entry.id, by=app.author, now=app.now(), text=text),
                    session.apply_one)


async def _edit_action(app: WarRoomApp, entry: Entry) -> None:
    """An action item is edited as the line that made it (``@bob [prevent] text by fri #REF``): the
    owner, due time, tags and tracker are changed with the text, never dropped from it. A line the
    grammar refuses is offered again as typed, with the reason."""
    from warroom.domain.scribe import ScribeError, line_text, parse_action
    from warroom.domain.text import one_line
    from warroom.ui.screens.modals import PromptScreen

    session = app.session
    value, problem = line_text(entry, app.local, app.now()), ""
    while True:
        typed = await app.push_screen_wait(
            PromptScreen(f"Edit action ({entry.at.astimezone(app.local):%H:%M:%S})", value=value,
                         help=problem or "@owner [mitigate|prevent|process] [P0-P3] what by WHEN #REF · "
                                         "Enter saves (the previous text is kept as a revision) · Esc cancels"))
        if typed is None:
            return
        try:
            line = parse_action(typed, entry.at, app.now(), app.local)
        except ScribeError as exc:
            value, problem = typed, f"Not saved: {one_line(str(exc))}"
            continue
        break
    if (line.text, line.owner, line.due) == (entry.text, entry.owner, entry.due):
        return
    owner_due = (line.owner, line.due)
    session.enqueue("edit", lambda: session.store.edit(entry.id, by=app.author, now=app.now(), text=line.text,
                                                       owner_due=owner_due), session.apply_one)


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

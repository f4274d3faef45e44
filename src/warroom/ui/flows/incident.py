"""The incident's own changes from dialogs: declare, switch, acknowledge, status, severity, roles,
and the detected time taken from the alerts. Each asks, then queues one write on the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.domain import incident as inc
from warroom.domain.incident import ROLE_LABELS, ROLES, STATUSES, Incident
from warroom.domain.times import TimeParseError, parse_when, short_utc
from warroom.ui.flows.drill import in_drill

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp
    from warroom.ui.screens.modals import Declaration


def declare(app: WarRoomApp) -> None:
    session = app.session
    if in_drill(app):
        return
    if session.store is None:
        app.notify("The database is not open.", severity="error")
        return
    from warroom.domain.presets import DEFAULT_PRESET, preset
    from warroom.ui.screens.modals import DeclareScreen

    policy = session.room.incident.policy if session.room.incident else preset(DEFAULT_PRESET)
    levels = [(lvl.key, lvl.name) for lvl in policy.levels]

    def declared(result: Declaration | None) -> None:
        if result is None:
            return
        now = app.now()
        try:
            detected = parse_when(result.detected, now, app.local) if result.detected else None
            declared_at = min(parse_when(result.declared, now, app.local), now) if result.declared else None
            if detected is not None and detected > (declared_at or now):
                raise TimeParseError(f"detected at {short_utc(detected)} would be after declared at "
                                     f"{short_utc(declared_at or now)}")
        except TimeParseError as exc:
            app.push_screen(DeclareScreen(levels, result.severity, str(exc), result.title, result.detected,
                                          result.declared), declared)
            return

        async def show_declared(incident: Incident) -> None:
            await session.load(incident.id)
            app.notify(f"Declared {incident.ref}: {incident.level.label}", title="Incident")
        session.enqueue(f"declare {result.title}", lambda: session.store.declare(
            result.title, policy, result.severity, now=app.now(), author=app.author, detected_at=detected,
            declared_at=declared_at),
            show_declared)

    app.push_screen(DeclareScreen(levels, policy.default_level.key), declared)


async def switch(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PickerScreen

    session = app.session
    if in_drill(app) or session.store is None:
        return
    incidents = await session.store.incidents()
    if not incidents:
        app.notify("No incidents yet: F2 declares one.")
        return
    ordered = sorted(incidents, key=lambda i: (i.is_resolved, -i.id))
    options = [(str(i.id), f"{i.ref}  {i.severity:<6} {i.status:<13} {'[DRILL] ' if i.drill else ''}{i.title}")
               for i in ordered]
    current = session.room.incident_id
    choice = await app.push_screen_wait(
        PickerScreen("Switch incident", options, selected=str(current) if current is not None else None))
    if choice is None:
        return

    async def open_it() -> None:
        await session.store.set_active(int(choice))
        await session.load(int(choice))
    session.enqueue(f"open #{choice}", open_it)


def ack(app: WarRoomApp) -> None:
    session = app.session
    if session.need_incident():
        incident_id, at, who = session.room.incident.id, app.now(), app.author
        session.enqueue_change("acknowledge", incident_id, lambda i: inc.acknowledge(i, at, who), at)


async def status(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PickerScreen

    session = app.session
    if not session.need_incident():
        return
    incident = session.room.incident
    options = [(s, s) for s in STATUSES if s != incident.status]
    chosen = await app.push_screen_wait(PickerScreen(f"Status (now {incident.status})", options))
    if chosen:
        at = app.now()
        session.enqueue_change(f"status {chosen}", incident.id, lambda i: inc.change_status(i, chosen, at), at,
                               "status")


async def severity(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PickerScreen

    session = app.session
    if not session.need_incident():
        return
    incident = session.room.incident
    options = [(lvl.key, f"{lvl.label} — {lvl.description}") for lvl in incident.policy.levels]
    level = await app.push_screen_wait(
        PickerScreen(f"Severity (now {incident.level.label})", options, selected=incident.severity))
    if level and level != incident.severity:
        at = app.now()
        session.enqueue_change(f"severity {level}", incident.id, lambda i: inc.change_severity(i, level), at)


async def assign(app: WarRoomApp) -> None:
    from warroom.ui.screens.modals import PickerScreen, PromptScreen

    session = app.session
    if not session.need_incident():
        return
    incident = session.room.incident
    options = [(r, f"{ROLE_LABELS[r]}: {incident.roles.get(r, '—')}") for r in ROLES]
    role = await app.push_screen_wait(PickerScreen("Assign a role", options))
    if not role:
        return
    name = await app.push_screen_wait(
        PromptScreen(f"{ROLE_LABELS[role]}:", value=incident.roles.get(role, ""),
                     help="Enter assigns · empty unassigns · Esc cancels"))
    if name is None:
        return
    at = app.now()
    session.enqueue_change(f"assign {role}", incident.id, lambda i: inc.assign_role(i, role, name), at)


def detected_from_alerts(app: WarRoomApp) -> None:
    from warroom.domain.baseline import earliest_firing

    session = app.session
    if not session.need_incident():
        return
    start = earliest_firing(app.metrics_feed.view.alerts) if app.metrics_feed is not None else None
    if start is None:
        app.notify("No firing alert to take the time from.", severity="warning")
        return
    session.enqueue_change("detected from alerts", session.room.incident.id,
                           lambda i: inc.set_milestone(i, "detected", start), start)


def offer_detected(app: WarRoomApp, offered: set[str]) -> None:
    """An attached alert started before detected: the notice says so once per offer (``offered``
    keeps their keys), naming the palette command that takes it (``domain.detected_offer``)."""
    from warroom.domain.detected_offer import detected_offer

    session = app.session
    if app.read_only:
        return
    offer = detected_offer(session.room.incident, session.room.entries.values(), app.now())
    if offer is None or offer.key in offered:
        return
    offered.add(offer.key)
    app.notify(offer.message(app.local), title="Detected", severity="warning", timeout=30)


def detected_from_earliest_alert(app: WarRoomApp) -> None:
    """The palette's answer to the offer: detected set to the earliest attached alert's start, as
    every milestone change is (a timeline entry)."""
    from warroom.domain.detected_offer import detected_offer

    session = app.session
    if not session.need_incident():
        return
    offer = detected_offer(session.room.incident, session.room.entries.values(), app.now())
    if offer is None:
        app.notify("No attached alert started before the detected time.", severity="warning")
        return
    session.enqueue_change("detected from the earliest alert", offer.incident_id,
                           lambda i: inc.set_milestone(i, "detected", offer.at), offer.at)


def announce_alert_notices(app: WarRoomApp, entries, announced: set[str]) -> None:
    """An alert no incident's routing claimed arrived as a notice entry (``[alertmanager.receiver]
    unmatched = "notice"``): said on the notice line too, once per alert, so nobody has to be
    reading the timeline to see it. Its text is the alert's, shown literally."""
    from warroom.domain.alert_routing import NOTICE_PREFIX

    for entry in entries:
        if entry.key and entry.key.startswith(NOTICE_PREFIX) and entry.key not in announced:
            announced.add(entry.key)
            app.notify(entry.text, title="Alert", severity="warning", timeout=30)

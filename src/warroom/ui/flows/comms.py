"""The comms lead's status update: composed from a template, copied, posted to the webhooks, logged
as sent — and never lost: a failed post keeps the draft and writes an UNSENT note."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.room.session import update_template
from warroom.room.writes import new_client_id

#: How an audience's draft is named in the composer's list (``→ executive``).
AUDIENCE_PREFIX = "→ "

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


def default_templates_dir() -> Path:
    from warroom.paths import default_config_path

    return default_config_path().parent / "templates"


async def compose(app: WarRoomApp) -> None:
    from warroom.comms_templates import TEMPLATES, load_template
    from warroom.domain.comms import comms_context
    from warroom.domain.templating import render_template
    from warroom.ui.screens.composer import ComposerScreen

    session = app.session
    if not session.need_incident():
        return
    incident, now, entries = session.room.incident, app.now(), session.room.entries.values()
    user_dir = app.config.comms.templates_dir or default_templates_dir()
    metrics = app.metrics_feed.view if app.metrics_feed is not None and app.metrics_feed.panels else None
    audiences = {f"{AUDIENCE_PREFIX}{a.audience.name}": a for a in app.config.comms.audiences}
    try:
        names = {*TEMPLATES, *(a.audience.template for a in audiences.values())}
        sources = await asyncio.to_thread(lambda: {n: load_template(n, user_dir) for n in names})
        context = comms_context(incident, entries, now, metrics, app.probe_results, app.local)
        rendered = {n: render_template(sources[n], context) for n in TEMPLATES}
        for key, item in audiences.items():  # each audience's draft, with its own next update
            sources[key] = sources[item.audience.template]
            rendered[key] = render_template(sources[key], audience_context(context, incident, entries, item, now))
    except Exception as exc:  # noqa: BLE001 — a broken user template: say which, keep the app
        app.notify(f"Template problem: {exc}", title="Comms", severity="error", timeout=20)
        return
    drafts = {**rendered, **app.comms_drafts.get(incident.id, {})}
    hooks = len(app.config.comms.targets())
    destination = f"{hooks} webhook{'s' if hooks != 1 else ''} + clipboard" if hooks else "clipboard"
    if audiences:
        destination += f"; {AUDIENCE_PREFIX}audience: its own webhooks"
    result = await app.push_screen_wait(ComposerScreen(drafts, update_template(incident, entries), destination))
    app.comms_drafts[incident.id] = {n: t for n, t in result.drafts.items() if t != rendered.get(n)}
    if result.action == "close":
        return
    app.copy_to_clipboard(result.text)
    app.last_copied = result.text
    if result.action == "copy":
        app.notify("Copied to the clipboard (not logged as sent).", title="Comms")
        return
    await send_update(app, incident.id, result.template, result.text, sources[result.template])


def audience_context(context, incident, entries, item, now):
    """The composer's context with the audience's own cadence (``domain.audiences.audience_clock``)."""
    from dataclasses import replace

    from warroom.domain.audiences import audience_clock

    clock = audience_clock(incident, entries, item.audience, now)
    if clock is None:
        return replace(context, update_every="", next_update=None, update_overdue=None)
    return replace(context, update_every=str(clock.every), next_update=clock.next_due, update_overdue=clock.overdue)


async def send_update(app: WarRoomApp, incident_id: int, template: str, text: str, template_text: str) -> None:
    """Post to the webhooks of the update's audience (each in its kind's JSON); log it, marked with
    the audience unless it is the responders' (``domain.audience_mark``)."""
    from warroom.domain.audience_mark import RESPONDERS, mark
    from warroom.sources.webhook import post_message

    session = app.session
    audience = RESPONDERS
    targets = app.config.comms.targets()
    if template.startswith(AUDIENCE_PREFIX):
        audience = template[len(AUDIENCE_PREFIX):]
        item = next(a for a in app.config.comms.audiences if a.audience.name == audience)
        targets = item.webhooks
    results = [await post_message(t.url, t.kind, text, template_text, template=template, audience=audience)
               for t in targets]
    urls = targets
    logged = mark(audience, text)
    app.last_posted = results
    failed = [r for r in results if not r.ok]
    now, who = app.now(), app.author
    if failed:
        reasons = "; ".join(r.error for r in failed)
        note = f"UNSENT {template} update (webhook: {reasons}) — draft kept:\n{text}"
        note_id = new_client_id()  # the same with every attempt: written once
        session.enqueue("unsent update", lambda: session.store.append(incident_id, note, author=who, now=now,
                                                                      kind="note", client_id=note_id),
                        session.apply_one)
        app.comms_drafts.setdefault(incident_id, {})[template] = text
        app.notify(f"Update NOT posted: {reasons}. It is copied, kept as a draft and in the timeline.",
                   title="Comms", severity="error", timeout=30)
        return
    sent_id = new_client_id()
    session.enqueue("comms", lambda: session.store.append(incident_id, logged, author=who, now=now, kind="comms",
                                                          client_id=sent_id), session.apply_one)
    app.comms_drafts.pop(incident_id, None)
    where = f"posted to {len(urls)} webhook{'s' if len(urls) != 1 else ''} and copied" if urls else "copied"
    app.notify(f"Update {where}; the cadence clock restarts.", title="Comms")

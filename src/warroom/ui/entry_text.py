"""What the full-entry view says about one entry: all of it, as Rich ``Text``.

Its time in local time and in UTC (with the date: an incident crosses midnight), its kind, author,
owner and due time for an action, the star, the text whole (wrapped by the screen, never cut), and
every earlier version kept by edits, oldest first. User text goes through ``visible``/``one_line``
(literal, no terminal codes); a redacted entry shows the reason, and its earlier versions stay
hidden too (they hold the text that was redacted).
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Sequence

from rich.text import Text

from warroom.domain.text import visible
from warroom.domain.timeline import Entry, Revision
from warroom.domain.times import format_duration
from warroom.ui.render import KIND_LABEL, KIND_STYLE, user

LABEL_W = 10


def when(at: datetime, local: tzinfo) -> str:
    """``Tue 24 Nov 2026 00:30:05 local (UTC+01:00) · 2026-11-23 23:30:05 UTC``."""
    here = at.astimezone(local)
    zone = here.strftime("%Z") or here.strftime("%z")
    return f"{here:%a} {here.day} {here:%b %Y %H:%M:%S} local ({zone}) · {at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC"


def entry_view(entry: Entry, local: tzinfo, history: Sequence[Revision] | None = None, *,
               history_note: str = "") -> Text:
    """The view's whole text. ``history``: the earlier versions when known (None: not read, and
    ``history_note`` says why — being read, could not be read, not available here)."""
    out = Text()
    out.append(f" {KIND_LABEL[entry.kind]} ", style=f"{KIND_STYLE[entry.kind] or 'bold'} reverse")
    if entry.starred:
        out.append("  ★ starred", style="bold yellow")
    if entry.edited:
        out.append(f"  ✎ edited (revision {entry.revision})", style="dim")
    if entry.backdated:
        out.append("  ↶ backdated", style="dim")
    out.append("\n\n")
    _field(out, "When", Text(when(entry.at, local)))
    if entry.backdated:
        _field(out, "Logged", Text(f"{when(entry.logged_at, local)} ({format_duration(entry.logged_at - entry.at)}"
                                   " after)"))
    _field(out, "Author", user(entry.author, "bold"))
    if entry.kind == "action":
        _field(out, "Owner", user("@" + entry.owner, "bold") if entry.owner else Text("none", style="dim"))
        _field(out, "Due", Text(when(entry.due, local), style="bold") if entry.due else Text("none", style="dim"))
        if entry.done_at:
            done = Text(f"done {when(entry.done_at, local)}", style="bold")
            if entry.done_by:
                done.append(" by ")
                done.append_text(user(entry.done_by, "bold"))
            _field(out, "Status", done)
        else:
            _field(out, "Status", Text("open (d in the timeline marks it done)"))
    if entry.redacted:
        by = Text("by ")
        by.append_text(user(entry.redacted_by, "bold"))
        by.append(f" · {when(entry.redacted_at, local)}")
        _field(out, "Redacted", by)
        reason = Text(style="italic")
        reason.append_text(user(entry.redaction_reason, "italic"))
        _field(out, "Reason", reason)
    out.append("\n")
    if entry.redacted:
        out.append("The text is hidden (redacted); the reason is above.", style="italic dim")
    else:
        out.append(visible(entry.text))
    if entry.edited or history:
        out.append("\n\n")
        out.append_text(_revisions(entry, local, history, history_note))
    return out


def _revisions(entry: Entry, local: tzinfo, history: Sequence[Revision] | None, note: str) -> Text:
    out = Text()
    out.append("Earlier versions", style="bold underline")
    if entry.redacted:
        count = len(history) if history is not None else entry.revision - 1
        out.append(f"\n{count} earlier version{'s' if count != 1 else ''}, hidden with the entry (redacted).",
                   style="italic dim")
        return out
    if history is None:
        out.append(f"\n{note or 'not read'}", style="italic dim")
        return out
    if not history:
        out.append("\nnone kept", style="italic dim")
        return out
    out.append(" (oldest first)", style="dim")
    for r in history:
        out.append(f"\nrevision {r.revision} · ", style="bold")
        out.append(KIND_LABEL.get(r.kind, r.kind), style=KIND_STYLE.get(r.kind, ""))
        out.append(f" · {_short(r.at, local)} · by ", style="dim")
        out.append_text(user(r.author, "dim"))
        out.append(f" · replaced {_short(r.replaced_at, local)} by ", style="dim")
        out.append_text(user(r.replaced_by, "dim"))
        out.append("\n")
        out.append(visible(r.text))
    return out


def _short(at: datetime, local: tzinfo) -> str:
    here = at.astimezone(local)
    return f"{here.day} {here:%b %H:%M:%S} local"


def _field(out: Text, label: str, value: Text) -> None:
    out.append(f"{label:<{LABEL_W}}", style="dim")
    out.append_text(value)
    out.append("\n")

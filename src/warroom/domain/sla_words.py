"""The SLA clock in words: what the TUI's SLA pane and the stakeholder page say of each target
and of the next status update — one rule, so the two never show different numbers."""

from __future__ import annotations

from datetime import datetime

from warroom.domain.sla import TargetClock, UpdateClock, urgency
from warroom.domain.times import format_duration

#: How the pane names each target.
TARGET_NAMES = {"acknowledge": "Acknowledge", "respond": "Respond", "mitigate": "Mitigate", "resolve": "Resolve"}


def target_words(clock: TargetClock, now: datetime) -> tuple[str, str]:
    """(state, words): ``("breached", "BREACHED 3m")``; state is ``sla.urgency``'s."""
    state = urgency(clock, now)
    if state == "met":
        text = "MET" + (" (implied)" if clock.implied else "")
    elif state == "missed":
        text = f"MISSED by {format_duration(clock.overdue)}"
    elif state == "breached":
        text = f"BREACHED {format_duration(clock.overdue)}"
    elif state == "soon":
        text = f"DUE {format_duration(clock.remaining)}"
    else:
        text = f"OK {format_duration(clock.remaining)} left"
    return state, text


def update_words(update: UpdateClock, now: datetime) -> tuple[str, str] | None:
    """(state, words) of the next status update (``breached``: overdue; ``soon``: ≤ 2 min);
    None when none is due (resolved, or the level sets no cadence)."""
    if update.next_due is None:
        return None
    if update.overdue is not None:
        return "breached", f"OVERDUE {format_duration(update.overdue)}"
    left = update.next_due - now
    if left.total_seconds() <= 120:
        return "soon", f"DUE {format_duration(left)}"
    return "ok", f"OK {format_duration(left)} left"

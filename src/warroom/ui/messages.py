"""Messages the app handles from panes it may not compose: defined apart from those panes, so that
the app's handlers (``@on``) do not import the metrics and pods panes — and their domain modules —
at start-up when neither is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from warroom.domain.pod_status import PodRow


class PinReading(Message):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title


class OpenChart(Message):
    """Open a metric panel's chart (Enter on the panel)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title


class PinPod(Message):
    def __init__(self, context: str, row: PodRow) -> None:
        super().__init__()
        self.context = context
        self.row = row

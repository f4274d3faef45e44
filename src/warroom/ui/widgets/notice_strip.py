"""The notice strip: one reserved line for drill injects, reminders, alerts and errors.

Textual's toasts covered half of an 80x24 screen (the SLA clock, the timeline, the drill report,
the line being typed) for 30 s at a time. Every notice now goes to this line instead: the latest
one, its time and how serious it is; longer than the line, it is cut with an ellipsis and the key
that shows them all (ctrl+l). The main screen has one above the footer, every dialog one at its
bottom, so nothing a screen shows is ever covered.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from warroom.domain.text import one_line

RECALL_KEY = "ctrl+l"
MORE = " ^l more"
#: how a severity reads without its colour (a projector, colour blindness)
LABELS = {"information": "", "warning": "WARN", "error": "ERROR"}


class Notice(str):
    """A notice's text — what callers and tests compare, as before — with when it came, how
    serious it is (Textual's ``information``/``warning``/``error``), its title, and how many
    seconds it stays highlighted."""

    at: datetime
    severity: str
    title: str
    timeout: float

    def __new__(cls, text: str, *, at: datetime, severity: str = "information", title: str = "",
                timeout: float = 5.0) -> Notice:
        notice = super().__new__(cls, text)
        notice.at, notice.severity, notice.title, notice.timeout = at, severity, title, timeout
        return notice

    def heading(self) -> str:
        """Title and text, on one line and literal (they carry user and cluster text)."""
        body = one_line(str(self)).strip()
        title = one_line(self.title).strip()
        return f"{title}: {body}" if title else body


class NoticePosted(Message):
    """A notice came (posted, so ``notify`` stays safe from a thread)."""

    def __init__(self, notice: Notice) -> None:
        super().__init__()
        self.notice = notice


def notice_line(notice: Notice | None, width: int, local: tzinfo, *, fresh: bool = True) -> Text:
    """The strip's text: ``10:14:03 WARN Drill inject: …``, cut to ``width`` with an ellipsis and
    the recall key when it does not fit. Colours come from the strip's classes; only the label is
    styled here."""
    if notice is None:
        return Text(f" Notices appear here · {RECALL_KEY} recalls them", style="dim", no_wrap=True,
                    overflow="ellipsis")
    out = Text(no_wrap=True)
    out.append(f" {notice.at.astimezone(local):%H:%M:%S} ", style="" if fresh else "dim")
    label = LABELS.get(notice.severity, "")
    if label:
        out.append(f"{label} ", style="bold")
    out.append(notice.heading(), style="" if fresh else "dim")
    if cell_len(out.plain) > width:
        out.truncate(max(width - cell_len(MORE), 1), overflow="ellipsis")
        out.append(MORE, style="bold")
    return out


class NoticeStrip(Widget):
    """Shows the app's latest notice (``app.latest_notice``), redrawn when the app says a new one
    came or the last one aged (``app.notice_signal``)."""

    DEFAULT_CSS = """
    NoticeStrip {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    NoticeStrip.-dialog {  /* over the main screen's strip: the footer stays in sight */
        dock: bottom;
        margin-bottom: 1;
    }
    NoticeStrip.-fresh.-warning {
        background: $warning 35%;
    }
    NoticeStrip.-fresh.-error {
        background: $error 45%;
    }
    NoticeStrip.-fresh.-information {
        background: $primary 30%;
    }
    """

    def on_mount(self) -> None:
        self.app.notice_signal.subscribe(self, lambda _notice: self._changed())
        self._changed()

    def _changed(self) -> None:
        notice = self.app.latest_notice
        for severity in LABELS:
            self.set_class(notice is not None and notice.severity == severity, f"-{severity}")
        self.set_class(self.app.notice_fresh, "-fresh")
        self.refresh()

    @property
    def text(self) -> str:
        """What the strip shows now, as plain text (for tests and the curious)."""
        return self.render().plain

    def render(self) -> Text:
        app = self.app
        return notice_line(app.latest_notice, self.size.width or 80, app.local, fresh=app.notice_fresh)

"""The drill's screens: the report at the end, and the first-run welcome that offers a drill."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from warroom.domain.times import format_duration
from warroom.drill.scoring import DrillReport
from warroom.ui.screens.dialog import Dialog

MARK = {True: (" PASS ", "bold black on green"), False: (" FAIL ", "bold white on red"), None: (" n/a  ", "dim")}


def report_text(report: DrillReport) -> Text:
    out = Text()
    out.append("Drill report", style="bold")
    out.append(" — ")
    out.append(report.scenario.title, style="bold")  # Text.append never parses markup
    out.append(f"\n{report.score} checks passed\n\n", style="bold")
    for ok, line in report.lines():
        label, style = MARK[ok]
        out.append(label, style=style)
        out.append(f" {line}\n")
    out.append("\nFrom detection to:", style="bold")
    for name, took in report.milestones:
        out.append(f"\n  {name:<13}{format_duration(took) if took is not None else 'never'}")
    out.append("\n\nF9 exports the review with this report · Esc closes", style="dim")
    return out


class DrillReportScreen(Dialog[None]):
    BINDINGS = [Binding("escape,enter,q", "close", "Close"), Binding("f9", "app.export", "Export")]

    def __init__(self, report: DrillReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="drill-report"):
            yield Static(report_text(self.report), id="drill-report-text")

    def action_close(self) -> None:
        self.dismiss(None)


WELCOME = """\
Nothing is configured yet, and this database has no incident.
A drill runs a scripted incident through every pane (metrics against their
baseline, pods crash-looping, alerts, injects for the IC) at 5× speed, and
scores the response at the end. To connect the real thing instead:
  Prometheus  WARROOM_PROMETHEUS_URL=http://prometheus:9090 warroom
  Kubernetes  [kubernetes] in ~/.config/warroom/config.toml, via kubeconfig
  warroom doctor checks the config · warroom drill --list lists scenarios\
"""


class WelcomeScreen(Dialog[str | None]):
    """First run: offer the drill (Enter), a real incident, or the empty room. Its lines fit 80x24
    unwrapped (the dialog takes the whole width there)."""

    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(self, scenarios: list[tuple[str, str]]) -> None:
        super().__init__()
        self._scenarios = scenarios

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="welcome"):
            yield Static(Text("Welcome to warroom", style="bold"))
            yield Static(Text(WELCOME, style=""), id="welcome-text")
            yield OptionList(
                *[Option(Text(f"Drill: {title} ({name})"), id=f"drill:{name}")
                  for name, title in self._scenarios],
                Option(Text("Declare a real incident (F2)"), id="declare"),
                Option(Text("Just open the empty war room"), id="close"),
                id="welcome-options",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

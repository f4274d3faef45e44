"""Slots for the metrics and pod panes: a clear "not configured" state that says how to configure."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

METRICS_HINT = (
    "Not configured.\n"
    "Set the Prometheus URL to compare metrics with their baseline:\n"
    "  WARROOM_PROMETHEUS_URL=http://prometheus:9090 warroom\n"
    "or [prometheus] url = \"…\" in ~/.config/warroom/config.toml"
)
PODS_HINT = (
    "Not configured.\n"
    "Point warroom at a cluster to watch pod health (read-only):\n"
    "  [kubernetes] namespaces = [\"payments\"] in ~/.config/warroom/config.toml\n"
    "(uses your kubeconfig's current context)"
)


class NotConfigured(Static):
    def __init__(self, title: str, hint: str, **kw) -> None:
        super().__init__(Text(hint, style="dim"), **kw)
        self._title = title

    def on_mount(self) -> None:
        self.border_title = self._title
        self.styles.height = "auto"  # give the room to the panes that have data

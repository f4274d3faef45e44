"""One poll of a metrics source: every panel, its sparkline and the alerts, concurrently, in threads.

Works with any source that has ``read_panel(panel, now)``, ``range(panel, start, end, step)`` and
``alerts()`` — Prometheus, or a drill's scripted source — and never raises: failures become
errors in the ``Poll`` the view keeps beside the last good values.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Sequence

from warroom.domain.panels import Panel
from warroom.domain.metrics_view import PanelPoll, Poll

#: Error kinds that mean the source itself is unreachable (not one panel's query being wrong).
SOURCE_DOWN = {"connection", "timeout", "http", "tls", "malformed"}
SPARK_POINTS = 60


def _kind(exc: BaseException) -> str:
    return getattr(exc, "kind", "") or "error"


def _message(exc: BaseException) -> str:
    return str(exc) or exc.__class__.__name__


def poll(source: Any, panels: Sequence[Panel], now: datetime, *, spark_minutes: int = 60,
         sparklines: bool = True, pool: ThreadPoolExecutor | None = None) -> Poll:
    own = pool is None
    pool = pool or ThreadPoolExecutor(max_workers=min(16, 2 * len(panels) + 1), thread_name_prefix="metrics")
    try:
        start = now - timedelta(minutes=spark_minutes)
        step = timedelta(minutes=spark_minutes) / SPARK_POINTS
        readings = [pool.submit(source.read_panel, p, now) for p in panels]
        ranges = [pool.submit(source.range, p, start, now, step) if sparklines else None for p in panels]
        alerts = pool.submit(source.alerts)
        outcomes, kinds = [], []
        for panel, rf, sf in zip(panels, readings, ranges):
            try:
                reading = rf.result()
            except Exception as exc:  # noqa: BLE001 — a source error of any kind becomes a panel error
                kinds.append(_kind(exc))
                outcomes.append(PanelPoll(panel, error=_message(exc)))
                if sf is not None:
                    sf.cancel()
                continue
            spark = None
            if sf is not None:
                try:
                    spark = sf.result()
                except Exception:  # noqa: BLE001 — the value still counts without its sparkline
                    spark = None
            outcomes.append(PanelPoll(panel, reading, spark))
        try:
            alert_list, alerts_error = tuple(alerts.result()), ""
        except Exception as exc:  # noqa: BLE001
            alert_list, alerts_error = None, _message(exc)
            kinds.append(_kind(exc))
        if kinds and len(kinds) == len(panels) + 1 and all(k in SOURCE_DOWN for k in kinds):
            return Poll(now, source_error=alerts_error or (outcomes[0].error if outcomes else "unreachable"))
        return Poll(now, tuple(outcomes), alert_list, alerts_error)
    finally:
        if own:
            pool.shutdown(wait=False, cancel_futures=True)

"""Live feeds: every source a screen reads (metrics, probes, pods, the other processes' writes)
runs on one pattern, and fails in one place.

A feed's worker runs one poll; when it has finished — never before — the feed hands its result
to the screen on the UI thread and arms a one-shot timer for the next poll (dolphie's model), so
a slow source never piles polls up. ``poll_now`` starts one at once, cancelling the timer (and,
being exclusive, any poll still under way). A feed without an interval polls when kicked (the
pods view, on each new snapshot).

A worker that raised does not take its pane down with it for good, silently: the feed says so in
its pane (``failed``), logs it, and polls again after a back-off that doubles up to a limit;
the first poll that succeeds clears the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from textual.app import App
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from warroom.room.writes import Backoff, reason

#: how long a feed whose worker raised waits before it polls again: 1 s, 2 s, 4 s … 60 s
FEED_BACKOFF = Backoff(first=1.0, limit=60.0)


@dataclass
class Feed:
    """One live source. ``poll(*args)`` runs in the worker (``thread``: in a thread, else on the
    event loop) and returns what ``deliver`` shows; ``deliver`` returns the seconds until the next
    poll (None: ``interval``; no interval: only when kicked). ``failed(message)`` shows a crash in
    the feed's pane; ``recovered()`` clears it."""

    name: str
    poll: Callable[..., Any]
    deliver: Callable[[Any], float | None]
    failed: Callable[[str], None]
    recovered: Callable[[], None] = lambda: None
    interval: float | None = None
    thread: bool = False
    failures: int = 0
    polls: int = 0  # polls delivered, for tests and benches
    last_error: str = ""


class Feeds:
    """The app's feeds, by name; the app routes every ``Worker.StateChanged`` through ``state_changed``."""

    def __init__(self, app: App, backoff: Backoff = FEED_BACKOFF) -> None:
        self._app = app
        self._backoff = backoff
        self._feeds: dict[str, Feed] = {}
        self._timers: dict[str, Timer] = {}
        self._args: dict[str, tuple] = {}
        self._stopped = False
        self._paused: set[str] = set()  # feeds a watcher stands in for (``follow``): they neither poll nor show

    def add(self, feed: Feed) -> Feed:
        self._feeds[feed.name] = feed
        return feed

    def __getitem__(self, name: str) -> Feed:
        return self._feeds[name]

    def __contains__(self, name: str) -> bool:
        return name in self._feeds

    def poll_now(self, name: str, *args: Any) -> Worker | None:
        """Poll ``name`` now (``args``: for a kicked feed, what this poll is about)."""
        if self._stopped or name in self._paused:
            return None
        feed = self._feeds[name]
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.stop()
        if args:
            self._args[name] = args
        args = self._args.get(name, ())
        work = partial(feed.poll, *args) if feed.thread else feed.poll(*args)  # a thread runs a call, the loop a coroutine
        return self._app.run_worker(work, name=name, group=f"feed:{name}", thread=feed.thread,
                                    exclusive=feed.interval is not None, exit_on_error=False)

    def state_changed(self, event: Worker.StateChanged) -> bool:
        """Route a worker's end to its feed; False when the worker is not a feed's."""
        group = event.worker.group
        if not group.startswith("feed:") or group[5:] not in self._feeds:
            return False
        feed = self._feeds[group[5:]]
        if event.state == WorkerState.SUCCESS:
            self._succeeded(feed, event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._crashed(feed, event.worker.error)
        return True

    def active(self, name: str) -> bool:
        """Whether ``name`` is a feed of this screen that polls now (not paused for a watcher)."""
        return name in self._feeds and name not in self._paused

    def pause(self, name: str) -> None:
        """Stop polling ``name`` (a watcher feeds its pane); a poll under way is dropped, unshown."""
        if name in self._feeds:
            self._paused.add(name)
            timer = self._timers.pop(name, None)
            if timer is not None:
                timer.stop()

    def resume(self, name: str, *, poll: bool = True) -> Worker | None:
        """``name`` polls again (``poll``: now; else when next kicked)."""
        if name not in self._feeds:
            return None
        self._paused.discard(name)
        return self.poll_now(name) if poll else None

    def _succeeded(self, feed: Feed, result: Any) -> None:
        if feed.name in self._paused:
            return
        if feed.failures:
            feed.failures, feed.last_error = 0, ""
            feed.recovered()
        try:
            delay = feed.deliver(result)
        except Exception as exc:  # noqa: BLE001 — showing a result failed: the same as a crashed poll
            self._crashed(feed, exc)
            return
        feed.polls += 1
        if delay is None:
            delay = feed.interval
        if delay is not None:
            self._arm(feed, delay)

    def _crashed(self, feed: Feed, error: BaseException | None) -> None:
        if feed.name in self._paused:
            return
        feed.failures += 1
        delay = self._backoff.delay(feed.failures)
        feed.last_error = reason(error) if error is not None else "unknown error"
        self._app.log.error(f"feed {feed.name} failed ({feed.failures}×): {feed.last_error!r}")
        feed.failed(f"{feed.name} stopped: {feed.last_error} — retrying in {delay:g} s")
        self._arm(feed, delay)

    def _arm(self, feed: Feed, delay: float) -> None:
        if self._stopped:
            return
        self._timers[feed.name] = self._app.set_timer(delay, lambda: self.poll_now(feed.name),
                                                      name=f"feed:{feed.name}")

    def stop(self) -> None:
        self._stopped = True
        for timer in self._timers.values():
            timer.stop()
        self._timers.clear()

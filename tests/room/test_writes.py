"""The write queue on its own: plain coroutines stand for the store, no Textual, no Pilot."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from warroom.room.writes import Backoff, WriteQueue, reason, waiting_hint
from warroom.store import NotAttempted, NotFound, StoreError

from fixtures.support import T0

FAST = Backoff(first=0.01, limit=0.02)


class Flaky:
    """A write that fails with ``errors`` (in turn) until ``fixed``, recording what it committed."""

    def __init__(self, committed: list, *errors: BaseException) -> None:
        self.committed = committed
        self.errors = list(errors)
        self.fixed = asyncio.Event()

    def write(self, what: str):
        async def attempt():
            if not self.fixed.is_set():
                raise self.errors[0] if len(self.errors) == 1 else self.errors.pop(0)
            self.committed.append(what)
            return what
        return attempt


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_any_failure_keeps_every_write_queued_counted_and_retried_in_order():
    """The disk-full bug: the store raised sqlite3.OperationalError ("cannot rollback") instead of a
    StoreError, and the writer died — every later write silently dropped."""
    committed, shown, hints = [], [], []
    disk = Flaky(committed, sqlite3.OperationalError("database or disk is full"), RuntimeError())
    queue = WriteQueue(backoff=FAST, changed=lambda: hints.append(queue.hint()))
    writer = asyncio.create_task(queue.run())
    queue.line(T0, "pool at 95%", disk.write("pool at 95%"), shown.append)
    queue.change("acknowledge", disk.write("acknowledge"), shown.append)
    queue.line(T0, "rolled back", disk.write("rolled back"), shown.append)
    await wait_until(lambda: any("disk is full" in h for h in hints) and any("RuntimeError" in h for h in hints))
    assert "⚠ 2 lines and 1 change not saved yet" in hints[-1]
    assert "()" not in "".join(hints)
    assert queue.lines_waiting == 2 and committed == []
    disk.fixed.set()
    await asyncio.wait_for(queue.join(), 5)
    assert committed == shown == ["pool at 95%", "acknowledge", "rolled back"]
    assert queue.hint() == "" and queue.lines_waiting == 0
    queue.change("later", disk.write("later"))  # the writer is still alive
    await asyncio.wait_for(queue.join(), 5)
    assert committed[-1] == "later"
    writer.cancel()


async def test_a_rejected_write_is_dropped_and_said_so_the_next_one_goes_on():
    committed, rejected = [], []
    queue = WriteQueue(rejects=(NotFound,), backoff=FAST, rejected=lambda what, exc: rejected.append((what, str(exc))))
    writer = asyncio.create_task(queue.run())

    async def gone():
        raise NotFound("no incident #9")
    queue.line(T0, "to a deleted incident", gone)
    ok = Flaky(committed)
    ok.fixed.set()
    queue.line(T0, "next", ok.write("next"))
    await asyncio.wait_for(queue.join(), 5)
    assert rejected == [("to a deleted incident", "no incident #9")] and committed == ["next"]
    writer.cancel()


async def test_a_failure_of_showing_a_write_does_not_write_it_again():
    committed, failed = [], []
    queue = WriteQueue(backoff=FAST, failed=lambda what, exc: failed.append(what))
    writer = asyncio.create_task(queue.run())
    ok = Flaky(committed)
    ok.fixed.set()

    def broken_display(_):
        raise KeyError("widget")
    queue.change("declare", ok.write("declare"), broken_display)
    await asyncio.wait_for(queue.join(), 5)
    assert committed == ["declare"] and failed == ["declare"]
    writer.cancel()


async def test_a_line_not_attempted_behind_a_failed_one_is_tried_at_once_without_backing_off():
    committed = []
    queue = WriteQueue(backoff=Backoff(first=60, limit=60))
    writer = asyncio.create_task(queue.run())
    skipped = asyncio.get_running_loop().create_future()
    skipped.set_exception(NotAttempted("waiting for an earlier line"))
    ok = Flaky(committed)
    ok.fixed.set()
    queue.line(T0, "second", ok.write("second"), first=skipped)
    await asyncio.wait_for(queue.join(), 2)  # not 60 s
    assert committed == ["second"]
    writer.cancel()


async def test_stop_waits_for_the_attempt_under_way_and_unsaved_is_exactly_what_was_not_committed():
    """Quitting during a lock: the line being written when quit gave up on waiting commits a
    moment later — it must not be in the unsaved file as well."""
    committed = []
    release = asyncio.Event()
    queue = WriteQueue(backoff=FAST)
    writer = asyncio.create_task(queue.run())

    async def slow_commit():
        await release.wait()
        committed.append("first")
        return "first"
    queue.line(T0, "first", slow_commit)
    never = Flaky(committed, StoreError("database is locked"))
    queue.line(T0, "second", never.write("second"))
    queue.change("acknowledge", never.write("acknowledge"))
    await asyncio.sleep(0.05)
    stopping = asyncio.create_task(queue.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # the attempt under way is waited for
    release.set()
    await asyncio.wait_for(stopping, 5)
    lines, changes = queue.unsaved()
    assert [line.raw for line in lines] == ["second"] and committed == ["first"]
    assert changes == ["acknowledge"]
    assert writer.done()


async def test_a_first_attempt_that_committed_is_not_unsaved_though_the_queue_never_reached_it():
    queue = WriteQueue(backoff=FAST)  # never run: stopped at once
    done = asyncio.get_running_loop().create_future()
    done.set_result("entry")
    queue.line(T0, "committed by the journal", lambda: pytest.fail("not retried"), first=done)
    queue.line(T0, "not yet", lambda: pytest.fail("not retried"))
    await queue.stop()
    assert [line.raw for line in queue.unsaved()[0]] == ["not yet"]


def test_the_back_off_doubles_and_is_bounded():
    b = Backoff(first=0.5, limit=8)
    assert [b.delay(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_the_reason_is_never_empty():
    assert reason(StoreError()) == "StoreError"
    assert reason(OSError("disk\nfull")) == "disk full"
    assert waiting_hint(1, 0, "disk full", 2) == "⚠ 1 line not saved yet — kept, retrying in 2 s: disk full"


async def test_a_line_the_writer_writes_holds_back_lines_typed_after_it_until_it_is_in():
    """``/status mitigating`` then ``rolled back``: the second went to the journal at once and could
    commit before the first, which waited for the writer — not in typing order."""
    committed = []
    queue = WriteQueue(backoff=FAST)
    ok = Flaky(committed)
    ok.fixed.set()
    queue.line(T0, "/status mitigating", ok.write("/status mitigating"))
    assert not queue.gate.is_open  # a line handed to the journal now is not attempted
    writer = asyncio.create_task(queue.run())
    await asyncio.wait_for(queue.join(), 5)
    assert queue.gate.is_open and committed == ["/status mitigating"]
    writer.cancel()


def test_every_line_has_its_own_client_id_kept_until_it_is_written():
    queue = WriteQueue(backoff=FAST)
    queue.line(T0, "given", lambda: None, client_id="typed-1")
    queue.line(T0, "made", lambda: None)
    queue.line(T0, "made too", lambda: None)
    lines, _ = queue.unsaved()
    ids = [line.client_id for line in lines]
    assert ids[0] == "typed-1" and len(set(ids)) == 3 and all(ids)


async def test_an_attempt_without_an_answer_is_said_and_counted_until_it_ends():
    """A network cut does not fail a write, it hangs: the hint said nothing while lines piled up."""
    committed, hints = [], []
    answer = asyncio.Event()
    queue = WriteQueue(backoff=FAST, slow_after=0.05, changed=lambda: hints.append(queue.hint()))
    writer = asyncio.create_task(queue.run())

    async def hanging():
        await answer.wait()
        committed.append("first")
    queue.line(T0, "first", hanging)
    ok = Flaky(committed)
    ok.fixed.set()
    queue.line(T0, "second", ok.write("second"))
    await wait_until(lambda: queue.hint())
    assert queue.hint() == "⚠ 2 lines not saved yet — kept, waiting: no answer from the database for 0.05 s"
    queue.line(T0, "third", ok.write("third"))
    assert hints[-1].startswith("⚠ 3 lines not saved yet")
    answer.set()
    await asyncio.wait_for(queue.join(), 5)
    assert committed == ["first", "second", "third"] and queue.hint() == ""
    writer.cancel()

"""The watcher hosts other asyncio services (an Alertmanager receiver, say): started once it runs,
stopped before it closes the store — and a service that fails to stop does not stop the rest."""

from __future__ import annotations

import asyncio

from warroom.config import Config, ProbeConfig
from warroom.store import Store
from warroom.watch.watcher import Watcher

PROBES = (ProbeConfig("api", "http://127.0.0.1:9/health", interval=3600.0),)


class Service:
    def __init__(self, events: list, name: str, fail: bool = False, refuse: bool = False) -> None:
        self.events, self.name, self.fail, self.refuse = events, name, fail, refuse

    async def start(self) -> None:
        self.events.append(f"start {self.name}")
        if self.refuse:
            raise OSError("address already in use")

    async def stop(self) -> None:
        self.events.append(f"stop {self.name}")
        if self.fail:
            raise RuntimeError("port already closed")


async def test_services_start_and_stop_with_the_watcher(db_path):
    events: list[str] = []
    stop = asyncio.Event()
    watcher = Watcher(db_path, Config(probes=PROBES), beat=0.1,
                      services=[Service(events, "a", fail=True), Service(events, "b")])
    run = asyncio.create_task(watcher.run(stop))
    async with Store.open(db_path) as store:
        deadline = asyncio.get_running_loop().time() + 10
        while not await store.watchers():  # bounded: a watcher that never beats fails here, never hangs
            assert not run.done(), f"the watcher ended before its first beat: {run.result()!r}, {events}"
            assert asyncio.get_running_loop().time() < deadline, f"no heartbeat in 10 s; {events}"
            await asyncio.sleep(0.02)
        assert events == ["start a", "start b"]
        stop.set()
        assert await asyncio.wait_for(run, 10) == 0
        assert events == ["start a", "start b", "stop b", "stop a"]
        assert await store.watchers() == []  # the heartbeat cleared after the services stopped


async def test_a_service_that_cannot_start_stops_the_watcher_with_status_1(db_path, caplog):
    events: list[str] = []
    watcher = Watcher(db_path, Config(probes=PROBES), beat=0.1,
                      services=[Service(events, "a"), Service(events, "b", refuse=True), Service(events, "c")])
    assert await asyncio.wait_for(watcher.run(asyncio.Event()), 10) == 1  # not left running without its receiver
    assert events == ["start a", "start b", "stop a"]
    assert "cannot start: address already in use" in caplog.text

"""The webhook receiver over real HTTP on 127.0.0.1, writing into a real store (SQLite; PostgreSQL too
for the once-only writes): bad input is a clear 4xx with nothing written and the receiver still
serving; duplicate and retried deliveries write nothing twice; routing, notices and declaring."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import datetime, timezone

import httpx
import pytest

from warroom.domain.alert_routing import Route, Routing, parse_matcher
from warroom.domain.presets import preset
from warroom.room.alert_intake import AlertIntake
from warroom.sources.alert_receiver import AlertReceiver, ListenError, parse_listen
from warroom.store import open_store

TOKEN = "s3cret-receiver-token"
NOW = datetime(2026, 3, 1, 10, 30, tzinfo=timezone.utc)


def alert(name="HighErrorRatio", status="firing", fp="fp0001", starts="2026-03-01T10:00:00Z", ends=None, **labels):
    return {"status": status, "labels": {"alertname": name, **labels},
            "annotations": {"summary": f"{name} summary"}, "startsAt": starts,
            "endsAt": ends or "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": fp}


def payload(*alerts, group="g1") -> dict:
    return {"version": "4", "groupKey": group, "truncatedAlerts": 0, "status": alerts[0]["status"],
            "receiver": "warroom", "externalURL": "http://am", "alerts": list(alerts)}


class Receiving:
    def __init__(self, store, receiver: AlertReceiver, log: list[str]) -> None:
        self.store, self.receiver, self.log = store, receiver, log
        self.client = httpx.AsyncClient(base_url=f"http://{receiver.address}", timeout=10)

    async def post(self, data, token: str | None = TOKEN, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        body = data if isinstance(data, (bytes, str)) else json.dumps(data)
        return await self.client.post("/alerts", content=body, headers=headers, **kw)

    async def all_entries(self) -> list:
        return [e for i in await self.store.incidents() for e in await self.store.entries(i.id)]


@pytest.fixture(params=["sqlite", "postgres"])
async def receiving(request, db_path):
    location = request.getfixturevalue("pg_url") if request.param == "postgres" else db_path
    routing = getattr(request, "routing", Routing())
    async with open_store(location) as store:
        log: list[str] = []
        intake = AlertIntake(store, routing, preset("sev"), clock=lambda: NOW)
        server = AlertReceiver("127.0.0.1:0", TOKEN, intake.deliver, max_body=64 * 1024, log=log.append)
        await server.start()
        r = Receiving(store, server, log)
        try:
            yield r
        finally:
            await r.client.aclose()
            await server.stop()


async def declare(store, title="Checkout down", services=("checkout",)):
    return await store.declare(title, preset("sev"), "SEV-2", now=NOW, author="ic", services=services)


async def test_firing_then_resolved_become_entries_in_the_service_incident(receiving):
    incident = await declare(receiving.store)
    other = await declare(receiving.store, "Search slow", ("search",))
    answer = await receiving.post(payload(alert(service="checkout", severity="critical")))
    assert answer.status_code == 200, answer.text
    resolved = alert(status="resolved", ends="2026-03-01T10:20:00Z", service="checkout", severity="critical")
    assert (await receiving.post(payload(resolved))).status_code == 200
    texts = [(e.text, e.kind, e.author, e.at) for e in await receiving.store.entries(incident.id)
             if e.text.startswith("Alert")]
    assert texts == [
        ("Alert firing: HighErrorRatio — HighErrorRatio summary [severity=critical service=checkout] "
         "http://prom/graph", "system", "alertmanager", datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)),
        ("Alert resolved: HighErrorRatio — HighErrorRatio summary [severity=critical service=checkout] "
         "http://prom/graph", "system", "alertmanager", datetime(2026, 3, 1, 10, 20, tzinfo=timezone.utc)),
    ]
    assert len(await receiving.store.entries(other.id)) == 1  # only its declaration


async def test_duplicate_and_retried_deliveries_write_nothing_twice(receiving):
    incident = await declare(receiving.store)
    data = payload(alert(service="checkout"), alert(fp="fp0002", name="Other", service="checkout"))
    first = await receiving.post(data)
    assert "2 entries written in #1" in first.json()["message"]
    for _ in range(3):  # Alertmanager re-sends on every group_interval, and retries on errors
        again = await receiving.post(copy.deepcopy(data))
        assert again.status_code == 200 and "0 entries written" in again.json()["message"]
    assert len(await receiving.store.entries(incident.id)) == 3
    # the same fingerprint firing again later (a new startsAt) is a new entry
    await receiving.post(payload(alert(service="checkout", starts="2026-03-01T10:25:00Z")))
    assert len(await receiving.store.entries(incident.id)) == 4


async def test_concurrent_copies_of_one_delivery_write_once(receiving):
    incident = await declare(receiving.store)
    data = payload(alert(service="checkout"))
    answers = await asyncio.gather(*(receiving.post(data) for _ in range(8)))
    assert all(a.status_code == 200 for a in answers)
    assert len(await receiving.store.entries(incident.id)) == 2


BAD = [
    ("missing token", dict(data=payload(alert()), token=None), 401, "bearer token"),
    ("wrong token", dict(data=payload(alert()), token="s3cret-receiver-tokeN"), 401, "bearer token"),
    ("oversized body", dict(data=json.dumps(payload(alert())) + " " * 70_000), 413, "over the 65536-byte limit"),
    ("malformed JSON", dict(data=b'{"version": "4", "alerts": ['), 400, "malformed JSON"),
    ("not UTF-8", dict(data=b'{"version": "\xff"}'), 400, "malformed JSON"),
    ("unknown version", dict(data={**payload(alert()), "version": "5"}), 422, "unknown payload version '5'"),
    ("bad shape", dict(data={**payload(alert()), "alerts": [{"labels": []}]}), 422, "alerts[0].labels"),
]


@pytest.mark.parametrize("what, request_, status, reason", BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_a_clear_4xx_nothing_written_still_serving(receiving, what, request_, status, reason):
    incident = await declare(receiving.store)
    before = await receiving.all_entries()
    answer = await receiving.post(request_["data"], **({"token": request_["token"]} if "token" in request_ else {}))
    assert answer.status_code == status
    assert reason in answer.json()["message"] and "\n" not in answer.json()["message"]
    assert await receiving.all_entries() == before
    good = await receiving.post(payload(alert(service="checkout")))
    assert good.status_code == 200 and len(await receiving.store.entries(incident.id)) == 2


async def test_token_is_never_logged_nor_echoed(receiving):
    await receiving.post(payload(alert()), token=TOKEN + "x")
    await receiving.post(payload(alert()))
    answer = await receiving.client.get("/alerts", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and TOKEN not in answer.text
    assert receiving.log and not any(TOKEN in line for line in receiving.log)
    assert TOKEN not in repr(receiving.receiver)


async def test_other_paths_methods_and_health(receiving):
    client = receiving.client
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/metrics")).status_code == 404
    assert (await client.get("/alerts")).status_code == 401
    put = await client.put("/alerts", content=b"{}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert put.status_code == 405


async def test_raw_garbage_and_stalled_clients_do_not_stop_it(receiving):
    host, port = receiving.receiver.host, receiving.receiver.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"\x16\x03\x01 not http at all\r\n\r\n")
    await writer.drain()
    assert b"400" in await reader.readline()
    writer.close()
    # a client that sends half a head and stalls holds only its own connection
    _, stalled = await asyncio.open_connection(host, port)
    stalled.write(b"POST /alerts HTTP/1.1\r\nContent-Le")
    await stalled.drain()
    async def body():
        yield b"{}"

    chunked = await receiving.client.post("/alerts", content=body(), headers={"Authorization": f"Bearer {TOKEN}"})
    assert chunked.status_code == 411
    assert (await receiving.post(payload(alert()))).status_code == 200
    stalled.close()


async def test_unrouted_alert_notice_in_every_open_war_room(db_path):
    async with open_store(db_path) as store:
        a = await declare(store, "A", ("a",))
        b = await declare(store, "B", ("b",))
        intake = AlertIntake(store, Routing(unmatched="notice"), preset("sev"), clock=lambda: NOW)
        from warroom.domain.alert_payload import parse_notification

        await intake.deliver(parse_notification(payload(alert(service="zzz"))))
        await intake.deliver(parse_notification(payload(alert(service="zzz"))))
        for incident in (a, b):
            notices = [e.text for e in await store.entries(incident.id) if e.text.startswith("Unrouted")]
            assert notices == ["Unrouted alert firing: HighErrorRatio — HighErrorRatio summary [service=zzz] "
                               "http://prom/graph"]


async def test_declared_incident_gets_severity_detected_time_and_its_resolution(db_path):
    from warroom.domain.alert_payload import parse_notification

    async with open_store(db_path) as store:
        intake = AlertIntake(store, Routing(unmatched="declare"), preset("sev"), clock=lambda: NOW)
        firing = alert(severity="critical", service="payments")
        line = await intake.deliver(parse_notification(payload(firing, alert(fp="fp2", name="Second"))))
        assert "declared #1" in line
        (incident,) = await store.incidents()
        assert (incident.severity, incident.services) == ("SEV-1", ("payments",))
        assert incident.milestones["detected"] == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
        assert incident.title == "HighErrorRatio: HighErrorRatio summary"
        # a retried delivery (a new intake: the receiver restarted) declares nothing more
        again = AlertIntake(store, Routing(unmatched="declare"), preset("sev"), clock=lambda: NOW)
        await again.deliver(parse_notification(payload(firing)))
        resolved = alert(status="resolved", ends="2026-03-01T10:10:00Z", severity="critical", service="payments")
        await again.deliver(parse_notification(payload(resolved)))
        assert len(await store.incidents()) == 1
        texts = sorted(e.text.split(" — ")[0] for e in await store.entries(incident.id))
        assert texts == ["Alert firing: HighErrorRatio", "Alert firing: Second", "Alert resolved: HighErrorRatio",
                         "Detected", "Incident declared: SEV-1 Critical"]


async def test_configured_route_by_matcher(db_path):
    from warroom.domain.alert_payload import parse_notification

    async with open_store(db_path) as store:
        target = await declare(store, "Payments", ("payments",))
        routing = Routing(routes=(Route((parse_matcher('team=~"pay.*"'),), service="payments"),))
        intake = AlertIntake(store, routing, preset("sev"), clock=lambda: NOW)
        await intake.deliver(parse_notification(payload(alert(team="payroll"))))
        await intake.deliver(parse_notification(payload(alert(fp="other", team="infra"))))
        assert len(await store.entries(target.id)) == 2


def test_listen_addresses():
    assert parse_listen("127.0.0.1:9095") == ("127.0.0.1", 9095)
    assert parse_listen("[::1]:80") == ("::1", 80)
    assert parse_listen(":9095") == ("127.0.0.1", 9095)
    for bad in ("9095", "host:", "h:99999"):
        with pytest.raises(ListenError):
            parse_listen(bad)


async def test_a_port_in_use_is_one_line(receiving):
    other = AlertReceiver(receiving.receiver.address, TOKEN, lambda n: None)
    with pytest.raises(ListenError, match="cannot listen on 127.0.0.1"):
        await other.start()

"""A write retried after its acknowledgement was lost is written once: on both engines, through
another connection, through every write a typed line can take, and with the answer lost for real
(a proxy that drops the server's reply to a committed INSERT)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain import incident as inc
from warroom.domain.presets import SEV
from warroom.store import StoreError, open_store

from fixtures.lossy_proxy import LossyProxy
from fixtures.support import T0, raw_sql


async def declare(store):
    return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


async def test_a_retry_on_a_fresh_connection_with_the_same_client_id_writes_nothing(db):
    """The retry of a write whose answer was lost comes over a new connection (the old one broke)."""
    async with open_store(db) as first:
        i = await declare(first)
        entry = await first.append(i.id, "rolled back", author="s", now=T0, client_id="c-1")
        first.open_journal()
        line = await first.append_soon(i.id, "pool at 95%", author="s", now=T0, client_id="c-2")
    async with open_store(db) as fresh:
        assert await fresh.append(i.id, "rolled back", author="s", now=T0 + timedelta(seconds=3),
                                  client_id="c-1") == entry
        assert await fresh.append_soon(i.id, "pool at 95%", author="s", now=T0, client_id="c-2") == line
        texts = [e.text for e in await fresh.entries(i.id)]
    assert texts.count("rolled back") == 1 and texts.count("pool at 95%") == 1


async def test_a_typed_status_change_retried_with_its_client_id_changes_nothing_and_returns_the_first(store):
    """``/status mitigating`` retried after a lost answer used to be refused ("status is already
    mitigating") and bounced back to the scribe, though it was written."""
    i = await declare(store)
    change = lambda x: inc.change_status(x, "mitigating", T0)  # noqa: E731
    after, entries = await store.change(i.id, change, author="s", at=T0, now=T0, kind="status", client_id="c-9")
    again = await store.change(i.id, change, author="s", at=T0, now=T0 + timedelta(seconds=4), kind="status",
                               client_id="c-9")
    assert again == (after, entries) and after.status == "mitigating"
    assert [e.text for e in await store.entries(i.id)].count(entries[0].text) == 1


async def test_an_answer_lost_for_real_after_the_commit_is_retried_without_a_duplicate(pg_server, pg_url):
    proxy = LossyProxy(pg_server.port)
    try:
        async with open_store(pg_url) as direct:
            i = await declare(direct)
        async with open_store(proxy.url(pg_url)) as store:
            store.open_journal()
            for how in ("append", "append_soon"):
                write = getattr(store, how)
                proxy.lose_next_ack()
                with pytest.raises(StoreError):
                    await write(i.id, f"via {how}", author="s", now=T0, client_id=f"lost-{how}")
                assert raw_sql(pg_url, "SELECT count(*) FROM entries WHERE text = ?", (f"via {how}",)) == [(1,)]
                entry = await write(i.id, f"via {how}", author="s", now=T0, client_id=f"lost-{how}")
                assert entry.text == f"via {how}"
                assert raw_sql(pg_url, "SELECT count(*) FROM entries WHERE text = ?", (f"via {how}",)) == [(1,)]
        assert proxy.acks_lost == 2
    finally:
        proxy.close()

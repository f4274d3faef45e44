"""PrometheusSource against hostile servers: a slow loris, huge bodies, too many series, and a
TLS server whose CA only ``ca_file`` names (the environment naming another bundle)."""

from __future__ import annotations

import json
import time

import pytest

from fixtures.hostile_http import MB, Server, fake_prometheus, huge, make_pki, reply, slow_loris
from warroom.domain.panels import Panel
from warroom.sources.prometheus import PrometheusSource, SourceError

PANEL = Panel("errors", "sum(rate(x[5m]))", baseline="offset 1d")


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_slow_loris_fails_at_the_deadline(headers_too: bool) -> None:
    """1 byte/s never trips a per-read timeout; the deadline is for the whole request."""
    with Server(slow_loris(headers_too=headers_too)) as server, PrometheusSource(server.url, timeout=1) as s:
        for call in (lambda: s.read_panel(PANEL), s.alerts, s.version):
            started = time.monotonic()
            with pytest.raises(SourceError) as info:
                call()
            elapsed = time.monotonic() - started
            assert (str(info.value), info.value.kind) == ("timeout after 1 s", "timeout")
            assert elapsed < 2.5, elapsed


@pytest.mark.parametrize("declared, gzipped", [(True, False), (False, False), (True, True)],
                         ids=["content-length", "until-close", "gzip-bomb"])
def test_a_huge_body_is_refused_while_streaming(declared: bool, gzipped: bool) -> None:
    with Server(huge(50 * MB, declared=declared, gzipped=gzipped)) as server, \
            PrometheusSource(server.url, timeout=20) as s:
        for call in (lambda: s.query("up"), s.alerts):
            with pytest.raises(SourceError) as info:
                call()
            assert str(info.value) == "response too large: over 8 MiB (the limit for one request)"
            assert info.value.kind == "too_large"
    assert server.sent < 2 * 50 * MB  # the client hung up: neither answer was read whole


def test_the_size_limit_is_per_source() -> None:
    body = json.dumps({"status": "success", "data": {"alerts": []}}).encode() + b" " * 4096
    with Server(reply(200, body)) as server:
        with PrometheusSource(server.url, max_bytes=1024) as s, pytest.raises(SourceError, match="over 1 KiB"):
            s.alerts()
        with PrometheusSource(server.url) as s:
            assert s.alerts() == []


def test_too_many_series_is_refused_with_advice() -> None:
    result = [{"metric": {"pod": f"p{i}"}, "value": [1795430340, "1"]} for i in range(2500)]
    body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}}).encode()
    with Server(reply(200, body)) as server, PrometheusSource(server.url) as s, pytest.raises(SourceError) as info:
        s.read_panel(PANEL)
    assert str(info.value) == "too many series: 2500 (limit 2000); aggregate the query (sum by …)"
    assert info.value.kind == "promql"


def test_ca_file_wins_over_the_environment(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    pki = make_pki(tmp_path / "pki")
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        monkeypatch.setenv(name, str(pki.other_ca_file))
    firing = [{"labels": {"alertname": "HighErrorRatio", "severity": "critical"}, "annotations": {},
               "state": "firing", "activeAt": "2026-11-23T10:00:00Z", "value": "0.15"}]
    with Server(fake_prometheus(firing), tls=pki.server) as server:
        with PrometheusSource(server.url, ca_file=str(pki.ca_file), timeout=5) as s:
            assert s.read_panel(PANEL).current == 1.5
            assert s.range(PANEL, *_window(), 60).current.values == [1.5]
            assert [a.name for a in s.alerts()] == ["HighErrorRatio"]
            assert s.version() == "2.99.0"
        # without it, the environment's bundle is what verifies (and it does not know this CA)
        with PrometheusSource(server.url, timeout=5) as s, pytest.raises(SourceError) as info:
            s.version()
        assert str(info.value) == "TLS error: unable to get local issuer certificate"


def test_an_unreadable_ca_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"^ca_file .*/nope\.pem: no such file$"):
        PrometheusSource("https://127.0.0.1:1", ca_file=str(tmp_path / "nope.pem"))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ValueError, match=r"^ca_file .*/junk\.pem: cannot load it as PEM certificates"):
        PrometheusSource("https://127.0.0.1:1", ca_file=str(junk))


def test_closing_a_source_ends_requests_in_flight() -> None:
    import threading

    with Server(slow_loris(headers_too=False)) as server:
        s = PrometheusSource(server.url, timeout=30)
        outcome: list[BaseException] = []
        thread = threading.Thread(target=lambda: _catch(outcome, s.version))
        thread.start()
        deadline = time.monotonic() + 10
        while not server.paths and time.monotonic() < deadline:
            time.sleep(0.01)
        s.close()
        thread.join(10)
        assert not thread.is_alive()
        assert [str(e) for e in outcome] == ["source closed"]
        with pytest.raises(SourceError, match="^source closed$"):
            s.version()


def _catch(into: list[BaseException], fn) -> None:
    try:
        fn()
    except SourceError as exc:
        into.append(exc)


def _window():
    from datetime import datetime, timedelta, timezone

    end = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    return end - timedelta(minutes=10), end

"""``warroom serve`` over real HTTP: the token, the cookie, 401s, the live stream, the warnings."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.engines("sqlite", "postgres")


def test_without_the_token_or_with_a_wrong_one_every_route_is_401(serve, wr, engine) -> None:
    wr("declare", "Checkout 500s")
    s = serve()
    for path in ("/", "/status", "/status/events", "/status.js", "/ws", "/static/js/textual.js"):
        assert httpx.get(s.base + path).status_code == 401, path
        assert httpx.get(s.base + path, params={"token": s.token[:-1] + "x"}).status_code == 401, path
        assert httpx.get(s.base + path, cookies={"warroom_access": "nope" * 8}).status_code == 401, path
    assert "Access token needed" in httpx.get(s.base + "/status").text


def test_the_token_moves_into_a_strict_httponly_cookie_and_out_of_the_address(serve, wr, engine) -> None:
    wr("declare", "Checkout 500s")
    s = serve("--access-log")
    first = httpx.get(f"{s.base}/status", params={"token": s.token, "lang": "en"})
    assert first.status_code == 200
    cookie = first.headers["set-cookie"]
    assert f"warroom_access={s.token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert 'http-equiv="refresh" content="0;url=/status?lang=en"' in first.text  # the token dropped
    assert first.headers["referrer-policy"] == "no-referrer"
    page = httpx.get(f"{s.base}/status", cookies={"warroom_access": s.token})
    assert page.status_code == 200 and "Checkout 500s" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    err = s.stop()
    assert "GET /status 200" in err  # the access log is on …
    assert s.token not in err  # … and never shows the token


def test_a_change_made_from_the_cli_reaches_an_open_stream_within_two_seconds(serve, wr, engine) -> None:
    wr("declare", "Checkout 500s", "-s", "SEV-2")
    s = serve()
    with httpx.stream("GET", f"{s.base}/status/events", cookies={"warroom_access": s.token}, timeout=10) as events:
        lines = events.iter_lines()
        assert next(lines) == "event: state"
        wr("severity", "SEV-1")
        wr("log", "-k", "comms", "Payments <b>recovering</b>")
        written = time.monotonic()
        for line in lines:
            if "Payments &lt;b&gt;recovering&lt;/b&gt;" in line:
                break
        assert time.monotonic() - written < 2.0
    page = httpx.get(f"{s.base}/status", cookies={"warroom_access": s.token}).text
    assert "<strong>SEV-1</strong>" in page


@pytest.mark.engines("sqlite")
def test_bound_beyond_loopback_without_tls_it_warns_loudly(serve, wr, engine) -> None:
    s = serve("--host", "0.0.0.0")
    err = s.stop()
    assert "WARNING: listening on 0.0.0.0 without TLS" in err and "reverse proxy" in err


@pytest.mark.engines("sqlite")
def test_a_token_file_too_short_is_one_line(wr, tmp_path, engine) -> None:
    short = tmp_path / "token"
    short.write_text("abc\n")
    proc = wr("serve", "--token-file", str(short), ok=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "at least 16" in proc.stderr


@pytest.mark.engines("sqlite")
async def test_past_the_visitor_cap_the_war_room_says_it_is_full(serve, wr, engine) -> None:
    import asyncio

    import aiohttp

    wr("declare", "Checkout 500s")
    s = serve("--max-visitors", "1")
    cookies = {"warroom_access": s.token}
    async with aiohttp.ClientSession(cookies=cookies) as session:
        async with session.ws_connect(f"{s.base}/ws?width=80&height=24") as first:
            await first.receive(timeout=30)  # the visitor's app is drawing: one process running
            async with session.get(f"{s.base}/") as index:
                assert index.status == 503 and "The war room is full" in await index.text()
            async with session.ws_connect(f"{s.base}/ws") as second:
                message = await second.receive(timeout=10)
                assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            async with session.get(f"{s.base}/status") as status:
                assert status.status == 200  # the status page has room for everyone
        for _ in range(100):  # the first visitor left: room again
            async with session.get(f"{s.base}/") as index:
                if index.status == 200:
                    break
            await asyncio.sleep(0.1)
        assert index.status == 200


def test_sigterm_stops_it_promptly(serve, wr, engine) -> None:
    import signal
    import subprocess

    wr("declare", "Checkout 500s")
    s = serve()
    httpx.get(f"{s.base}/status", cookies={"warroom_access": s.token})
    s.proc.send_signal(signal.SIGTERM)
    try:
        assert s.proc.wait(timeout=8) == 0
    except subprocess.TimeoutExpired:
        pytest.fail("warroom serve still running 8 s after SIGTERM")


@pytest.mark.engines("sqlite")
async def test_past_the_stream_cap_a_stream_is_refused_and_one_closed_frees_a_place(serve, wr, engine) -> None:
    import asyncio

    import aiohttp

    wr("declare", "Checkout 500s")
    s = serve("--max-status-streams", "3")
    async with aiohttp.ClientSession(cookies={"warroom_access": s.token}) as session:
        streams = [await session.get(f"{s.base}/status/events") for _ in range(3)]
        try:
            for stream in streams:
                assert stream.status == 200
                assert await stream.content.readline() == b"event: state\n"  # open and being fed
            for _ in range(2):
                async with session.get(f"{s.base}/status/events") as refused:
                    assert refused.status == 503 and refused.headers["Retry-After"] == "30"
                    text = await refused.text()
                    assert text.count("\n") == 1 and "Live updates are full: 3 status pages" in text
            async with session.get(f"{s.base}/status") as page:  # the page still comes, reloading itself
                html = await page.text()
                assert page.status == 200 and "Checkout 500s" in html
                assert '<meta http-equiv="refresh" content="30">' in html and "status.js" not in html
                assert "Live updates are full right now" in html
            streams.pop().close()
            for _ in range(100):  # the server notices the closed one at its next write (each second)
                async with session.get(f"{s.base}/status/events") as again:
                    if again.status == 200:
                        break
                await asyncio.sleep(0.1)
            assert again.status == 200
        finally:
            for stream in streams:
                stream.close()
    err = s.stop()
    assert err.count("status page: 3 live pages, the most allowed") == 1, err  # said once, not per page


@pytest.mark.engines("sqlite")
def test_a_stream_cap_below_one_is_one_line(wr, engine) -> None:
    proc = wr("serve", "--max-status-streams", "0", ok=False)
    assert proc.returncode == 1 and proc.stderr == "warroom: error: --max-status-streams must be at least 1\n"


@pytest.mark.engines("sqlite")
def test_an_export_dir_that_cannot_be_one_is_one_line(wr, tmp_path, engine) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for args, message in ((("serve", "--export-dir", str(a_file)), f"--export-dir {a_file}: not a directory"),
                          (("serve", "--export-dir", str(a_file / "under")), "cannot make it (Not a directory)"),
                          (("--export-dir", str(tmp_path / "missing")), "no such directory")):
        proc = wr(*args, ok=False)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stderr.startswith("warroom: error: ") and message in proc.stderr, proc.stderr


@pytest.mark.engines("sqlite")
def test_an_export_dir_given_is_made_owner_only_and_announced(serve, wr, tmp_path, engine) -> None:
    import stat

    wr("declare", "Checkout 500s")
    chosen = tmp_path / "reviews" / "checkout"
    s = serve("--write", "--export-dir", str(chosen))
    assert f"the scribe's exports (F9) go to {chosen} on this machine" in s.printed
    assert chosen.is_dir() and stat.S_IMODE(chosen.stat().st_mode) == 0o700

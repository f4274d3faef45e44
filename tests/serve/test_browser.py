"""``warroom serve`` in a real browser (Debian's chromium, headless, through Playwright): the
status page follows the CLI live, the war room renders its SLA clock, the token is needed, and
user text shows literally."""

from __future__ import annotations

import re
import time

import pytest

from fixtures.browser import SCREEN, XTERM_TEXT

pytestmark = pytest.mark.slow


def open_status(page, s) -> None:
    page.goto(f"{s.base}/status?token={s.token}", wait_until="domcontentloaded")
    page.wait_for_url(f"{s.base}/status", timeout=10_000)  # the token dropped from the address
    page.wait_for_selector("#title")


def test_the_status_page_follows_a_change_made_from_the_cli_without_a_reload(serve, wr, page) -> None:
    wr("declare", "Checkout 500s", "-s", "SEV-2")
    wr("assign", "ic", "ana")
    s = serve("--status-only")
    open_status(page, s)
    state = page.locator("#state")
    assert "SEV-2" in state.inner_text() and "ana" in state.inner_text()
    page.evaluate("window.notReloaded = true")
    page.wait_for_function("document.querySelector('.updated') !== null")
    wr("severity", "SEV-1")
    wr("log", "-k", "comms", "Payments recovering after the rollback")
    written = time.monotonic()
    page.wait_for_function(
        "document.querySelector('#state').innerText.includes('Payments recovering after the rollback')"
        " && document.querySelector('.severity').innerText.includes('SEV-1')", timeout=5_000, polling=50)
    assert time.monotonic() - written < 2.0
    assert page.evaluate("window.notReloaded") is True  # the same document: no reload
    assert page.context.cookies()[0]["httpOnly"] and page.context.cookies()[0]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads the token


def test_without_a_token_or_with_a_wrong_one_the_browser_gets_401(serve, wr, page) -> None:
    wr("declare", "Checkout 500s")
    s = serve("--status-only")
    response = page.goto(f"{s.base}/status")
    assert response.status == 401 and "Access token needed" in page.inner_text("body")
    response = page.goto(f"{s.base}/status?token={s.token[::-1]}")
    assert response.status == 401 and "Checkout" not in page.content()


def test_an_entry_with_a_script_and_markup_shows_literally(serve, wr, page) -> None:
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"><b>bold</b>'
    wr("declare", f"Checkout {hostile}")
    wr("log", "-k", "comms", hostile)
    s = serve("--status-only")
    open_status(page, s)
    assert page.locator("#title").inner_text() == f"Checkout {hostile}"
    assert hostile in page.locator(".said").first.inner_text()
    wr("log", "-k", "comms", f"again {hostile}")  # arriving live, through the event stream
    page.wait_for_function("document.querySelector('#state').innerText.includes('again <script>')", timeout=5_000)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#state img, #state b, #state script").count() == 0


def test_the_war_room_page_opens_read_only_and_renders_the_sla_clock(serve, wr, page) -> None:
    wr("declare", "Checkout 500s", "-s", "SEV-1")
    s = serve()
    page.add_init_script(XTERM_TEXT)
    page.goto(f"{s.base}/?token={s.token}", wait_until="domcontentloaded")
    page.wait_for_url(f"{s.base}/", timeout=10_000)
    page.wait_for_function(f"{SCREEN}.includes('Acknowledge') && {SCREEN}.includes('read-only view')",
                           timeout=30_000, polling=200)
    screen = page.evaluate(SCREEN)
    assert "Checkout 500s" in screen and re.search(r"Acknowledge\s+5 min\s+by \d\d:\d\d\s+OK \d", screen), screen
    assert "read-only view" in screen


def test_the_scribe_link_gives_the_whole_war_room_and_a_line_typed_in_the_browser_is_logged(serve, wr, page) -> None:
    wr("declare", "Checkout 500s", "-s", "SEV-1")
    s = serve("--write")
    assert s.write_token and s.write_token != s.token
    page.add_init_script(XTERM_TEXT)
    page.goto(f"{s.base}/?token={s.write_token}", wait_until="domcontentloaded")
    page.wait_for_url(f"{s.base}/", timeout=10_000)
    page.wait_for_function(f"{SCREEN}.includes('Acknowledge')", timeout=30_000, polling=200)
    assert "read-only view" not in page.evaluate(SCREEN)
    page.locator(".xterm").click()
    page.keyboard.type("rolled back build 4411")
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 15
    while "rolled back build 4411" not in wr("export").stdout:
        assert time.monotonic() < deadline, page.evaluate(SCREEN)
        time.sleep(0.2)


def test_the_war_room_page_loads_nothing_from_outside_the_server(serve, wr, browser) -> None:
    """An incident tool in a locked-down network must not phone out (textual-serve's own page asked
    fonts.googleapis.com for its font). The page's own policy on (no ``bypass_csp``): it must
    still render, and a link with textual.js's ``?ping=URL`` must not make it fetch that URL."""
    from urllib.parse import urlsplit

    wr("declare", "Checkout 500s", "-s", "SEV-1")
    s = serve()
    origin = urlsplit(s.base).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    # Anything else is refused at once (no waiting on DNS in a sandbox); it is recorded all the same.
    page.route(lambda url: urlsplit(url).netloc != origin, lambda route: route.abort())
    page.add_init_script(XTERM_TEXT)
    try:
        page.goto(f"{s.base}/?token={s.token}", wait_until="domcontentloaded")
        page.wait_for_url(f"{s.base}/", timeout=10_000)
        # a function, not a string: the page's policy forbids eval, Playwright's string waits use it
        page.wait_for_function(f"() => {SCREEN}.includes('Acknowledge')", timeout=30_000, polling=200)
        page.wait_for_load_state("load")
        assert any(url.startswith("ws://") for url in requested), requested  # the websocket is seen too
        assert any(url.endswith("/static/js/textual.js") for url in requested), requested
        assert refused == [], refused  # the policy let the page do all it needs
        page.goto(f"{s.base}/?ping=http://phone-home.example/", wait_until="load")
        deadline = time.monotonic() + 10
        while not any("phone-home" in text for text in requested + refused):  # textual.js tried
            assert time.monotonic() < deadline, "the page never tried its ?ping= URL"
            page.wait_for_timeout(50)  # lets Playwright deliver the page's events
        outside = [url for url in requested if urlsplit(url).netloc != origin]
        assert outside == [], outside
    finally:
        context.close()


def test_a_status_page_whose_stream_is_refused_at_the_cap_says_it_will_reload(serve, wr, page) -> None:
    """The page came while there was room; by the time its stream asked, the cap was reached."""
    import httpx

    wr("declare", "Checkout 500s")
    s = serve("--status-only", "--max-status-streams", "1")
    taken: list = []

    def fill_the_cap_first(route) -> None:
        stream = httpx.stream("GET", f"{s.base}/status/events", cookies={"warroom_access": s.token}, timeout=10)
        taken.append(stream.__enter__())
        assert taken[0].status_code == 200
        route.continue_()

    page.route("**/status/events", fill_the_cap_first)
    try:
        open_status(page, s)
        page.wait_for_function("document.querySelector('#live').innerText.includes('Live updates stopped')",
                               timeout=10_000)
        assert "reloads in 30 s" in page.locator("#live").inner_text()
        assert "Checkout 500s" in page.locator("#state").inner_text()  # what it had is still shown
    finally:
        for stream in taken:
            stream.close()


def test_a_remote_scribes_export_goes_to_the_export_dir_owner_only_and_the_browser_gets_a_copy(
        serve, wr, page, tmp_path) -> None:
    """Not into whichever directory the server was started from: the user data dir's exports."""
    import stat

    wr("declare", "Checkout 500s", "-s", "SEV-1")
    wr("log", "rolled back build 4411")
    started_in = tmp_path / "started-in"
    started_in.mkdir()
    s = serve("--write", cwd=started_in)
    exports = tmp_path / "data" / "warroom" / "exports"  # $XDG_DATA_HOME/warroom/exports
    assert f"the scribe's exports (F9) go to {exports} on this machine" in s.printed
    downloads: list = []
    page.context.on("page", lambda opened: opened.on("download", lambda d: downloads.append(d)))  # a new tab
    page.on("download", lambda d: downloads.append(d))
    page.add_init_script(XTERM_TEXT)
    page.goto(f"{s.base}/?token={s.write_token}", wait_until="domcontentloaded")
    page.wait_for_url(f"{s.base}/", timeout=10_000)
    page.wait_for_function(f"{SCREEN}.includes('Acknowledge')", timeout=30_000, polling=200)
    page.locator(".xterm").click()
    page.keyboard.press("F9")
    page.wait_for_function(f"{SCREEN}.includes('your browser downloads a copy')", timeout=15_000, polling=200)
    written = list(exports.glob("incident-*.md"))
    assert len(written) == 1 and "rolled back build 4411" in written[0].read_text()
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(exports.stat().st_mode) == 0o700
    assert list(started_in.iterdir()) == []
    assert f"Exported {written[0].name}: your browser downloads a copy" in page.evaluate(SCREEN)
    page.keyboard.press("Control+l")  # the notice whole: where it is on the server
    page.wait_for_function(f"{SCREEN}.includes('Last notices')", timeout=10_000, polling=200)
    screen = page.evaluate(SCREEN)
    dialog = "".join(line.split("█")[1] for line in screen.splitlines() if line.count("█") >= 2)  # inside its frame
    assert str(exports) in "".join(dialog.split()), screen  # the path, wrapped, whole
    deadline = time.monotonic() + 15
    while not downloads:
        assert time.monotonic() < deadline, "the browser got no copy"
        page.wait_for_timeout(50)  # lets Playwright deliver the new tab's events
    assert downloads[0].suggested_filename == written[0].name
    assert open(downloads[0].path(), encoding="utf-8").read() == written[0].read_text()

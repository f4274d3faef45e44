"""Issue #20, "never obey a hostile byte": random bytes and escape/markup sequences through every
path to the terminal, the clipboard and the markdown export. Nothing is interpreted, nothing crashes.
(What counts as unsafe: ``hostile.unsafe``, from Unicode categories.)
"""

from __future__ import annotations

import base64
import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.doctor import Check
from warroom.domain.baseline import Alert, Reading
from warroom.domain.panels import Panel
from warroom.domain.incident import ROLES, Incident
from warroom.domain.metrics_view import MetricsView, PanelView
from warroom.domain.presets import SEV
from warroom.domain.report import status_summary
from warroom.review_templates import review_markdown as to_markdown
from warroom.domain.sla import evaluate
from warroom.domain.text import one_line, visible
from warroom.domain.timeline import KINDS, Entry
from warroom.ui import render

from fixtures.hostile import OSC52, unsafe
from fixtures.support import T0

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
M = timedelta(minutes=1)
FRAGMENTS = [
    "\x1b[31m", "\x1b[0m", "\x1b[2J", "\x1b[?1049h", "\x1b[6n", OSC52, "\x1b]0;pwned\x07", "\x1b]2;title\x1b\\",
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "\x1bP+q\x1b\\", "\x9b31m", "\x9d0;t\x9c", "\x85",
    "\x00", "\x07", "\x08", "\x7f", "\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200e", "\u200b",
    "\ufeff", "\u2028", "\u2029", "\U000e0041", "\udc9b", "\udcff",
    "[bold]", "[/]", "[red on white]", "[link=http://evil.example]x[/link]", "[@click=app.quit]q[/]", "\\[",
    "|", "||", "#", "# ", "## ", "`", "```", "~~~", "<script>alert(1)</script>", "<br>", "<!--", "&amp;",
    "&#27;", "*", "**", "_", "- ", "+ ", "1. ", "2) ", "> ", "---", "===", "[x](http://evil.example)",
    "![i](http://evil.example/i.png)", "<http://evil.example>", "\\", "\n", "\r", "\r\n", "\t", "    ",
    "\n\n    code", "\n# heading", "\n| a | b |\n|---|---|", "\n<div>", "\n- item", "\n> quote",
]
#: Random bytes as warroom gets them from argv or a file (undecodable bytes become lone surrogates).
raw_bytes = st.binary(max_size=40).map(lambda b: b.decode("utf-8", "surrogateescape"))
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6), raw_bytes), max_size=8).map("".join)


# -- the sanitiser ---------------------------------------------------------------------------------


@FUZZ
@given(hostile)
def test_visible_leaves_only_newlines_and_tabs(text: str) -> None:
    shown = visible(text)
    assert unsafe(shown, allow="\n\t") == []
    assert shown.count("\n") == text.count("\n")  # lines are kept (multi-line text)
    shown.encode("utf-8")  # printable and writable: no lone surrogate survives


@FUZZ
@given(hostile)
def test_one_line_is_one_safe_line(text: str) -> None:
    shown = one_line(text)
    assert unsafe(shown) == []
    assert len(shown.splitlines()) <= 1
    assert one_line(shown) == shown  # idempotent: showing it again changes nothing


@FUZZ
@given(st.dictionaries(hostile, hostile, max_size=4))
def test_json_visible_escapes_without_changing_the_data(data: dict) -> None:
    import json

    from warroom.domain.text import json_visible

    document = json_visible(json.dumps(data, ensure_ascii=False))
    assert unsafe(document) == []
    assert json.loads(document) == data


# -- the CLI's output ------------------------------------------------------------------------------


@FUZZ
@given(st.lists(st.lists(hostile, min_size=3, max_size=3), min_size=1, max_size=5), hostile)
def test_cli_tables_lines_and_errors(rows: list[list[str]], message: str) -> None:
    from warroom.cli import output as cli_output

    lines = cli_output.table(rows, indent="  ")
    assert len(lines) == len(rows)  # one line per row, whatever a cell holds
    assert all(unsafe(line) == [] and len(line.splitlines()) <= 1 for line in lines)
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        cli_output.out(f"ALERTS {message}\nsecond line")
        cli_output.error(message)
        cli_output.write(message)
        cli_output.write_json('{"x": "%s"}' % message.replace("\\", "").replace('"', ""))
    assert unsafe(stdout.getvalue(), allow="\n\t") == []
    assert stderr.getvalue().count("\n") == 1 and unsafe(stderr.getvalue(), allow="\n") == []


@FUZZ
@given(hostile, st.sampled_from(["OK", "WARN", "FAIL"]))
def test_doctor_lines(message: str, status: str) -> None:
    line = Check(status, "alerts", f"1 firing ({message}), 0 pending").line()
    assert unsafe(line) == [] and len(line.splitlines()) == 1


# -- the incident: F5's clipboard, the TUI's renderers, the export ---------------------------------


def _incident(title: str, name: str, service: str, impact: str, summary: str) -> Incident:
    return Incident(
        id=7, title=title, severity="SEV-2", status="identified", policy=SEV,
        milestones={"detected": T0 - 2 * M, "declared": T0, "acknowledged": T0 + M},
        roles={role: name for role in ROLES}, services=(service, "checkout"), impact=impact, summary=summary,
    )


def _entries(texts: list[str], who: str) -> list[Entry]:
    out = []
    for n, text in enumerate(texts):
        kind = KINDS[n % len(KINDS)]
        redacted = n % 5 == 4
        out.append(Entry(
            id=n + 1, incident_id=7, at=T0 + n * M, logged_at=T0 + n * M + (5 * M if n % 3 == 0 else M * 0),
            author=who, kind=kind, text=text, starred=n % 2 == 0, revision=1 + n % 2,
            redacted_at=T0 + 30 * M if redacted else None, redacted_by=who if redacted else "",
            redaction_reason=text if redacted else "", owner=who if kind == "action" else "",
            due=T0 + 60 * M if kind == "action" else None,
        ))
    return out


incidents = st.builds(_incident, hostile, hostile, hostile, hostile, hostile)
entry_lists = st.builds(_entries, st.lists(hostile, min_size=1, max_size=8), hostile)


@FUZZ
@given(incidents, entry_lists)
def test_status_summary_and_its_osc52_payload(incident: Incident, entries: list[Entry]) -> None:
    """F5: the app copies ``status_summary`` through OSC 52 (``\\x1b]52;c;<base64>\\x07``)."""
    summary = status_summary(incident, entries, T0 + 10 * M)
    payload = base64.b64encode(visible(summary).encode("utf-8")).decode()  # what App.copy_to_clipboard sends
    decoded = base64.b64decode(payload).decode("utf-8")
    assert unsafe(decoded, allow="\n") == []
    assert unsafe(summary, allow="\n") == []
    lines = summary.split("\n")
    assert lines[0].startswith("[SEV-2 High] Incident #7: ") and lines[1].startswith("Status: identified")
    # one line per part, whatever the fields hold (a title's newline cannot add one)
    latest = sum(not e.redacted and e.kind in ("status", "decision", "action", "comms") for e in entries)
    update = evaluate(incident, entries, T0 + 10 * M).update
    assert len(lines) == (2 + bool(incident.roles["commander"]) + 1 + bool(incident.impact.strip())
                          + min(3, latest) + bool(update and update.next_due))


def _plain_lines(text) -> list[str]:
    return text.plain.split("\n")


@FUZZ
@given(incidents, entry_lists, hostile)
def test_tui_renderers(incident: Incident, entries: list[Entry], cluster: str) -> None:
    local = timezone(timedelta(hours=2))
    now = T0 + 10 * M
    one_liners = [render.user(incident.title, "bold"), render.header_line(incident, now, local),
                  render.header_line(incident, now, local, compact=True), render.roles_line(incident)]
    for e in entries:
        one_liners += [render.text_cell(e)]
    for text in one_liners:
        assert unsafe(text.plain) == [] and "\n" not in text.plain
    assert render.user(incident.title).plain == one_line(incident.title)  # literal: "[bold]" stays "[bold]"
    assert one_line(incident.title) in render.header_line(incident, now, local).plain
    for e in entries:
        assert unsafe(render.detail(e, local).plain, allow="\n\t") == []
    assert unsafe(render.sla_lines(incident, evaluate(incident, entries, now), local).plain, allow="\n") == []

    panel = Panel(title=one_line(cluster).strip()[:40] or "p", query="up")
    reading = Reading(panel, 2.0, 1.0, 2.0, 100.0, "WARN", reasons=(cluster,), note=cluster)
    alert = Alert(name=cluster, state="firing", severity=cluster, active_at=T0, value=1.0, summary=cluster)
    view = MetricsView(panels=(PanelView(panel, reading, updated_at=T0, error=cluster),), alerts=(alert,),
                       alerts_error="503 " + cluster)
    panel_text = render.metric_panel(view.panels[0], now, 80)
    alerts_text = render.alerts_lines(view, now, local)
    for text in (panel_text, alerts_text):
        assert unsafe(text.plain, allow="\n") == []
    assert len(_plain_lines(alerts_text)) == 3  # "alerts: <error>", the count, the one alert


def _plain_shape(text: str) -> str:
    """Harmless text of the same shape in the review: a short line stays a short line; a long text
    (a block of its own under the timeline) keeps its lines and blank lines."""
    from warroom.domain import markdown as md
    from warroom.domain.review import LONG, is_long

    if not is_long(text):
        return "x"
    shaped = "\n".join("x" if line.strip(" \t") else "" for line in md.block(text).split("\n"))
    return shaped if is_long(shaped) else "x" * (LONG + 1)


def _parse(markdown: str):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(markdown)


@settings(FUZZ, max_examples=100)
@given(incidents, entry_lists)
def test_markdown_export_keeps_every_field_in_its_place(incident: Incident, entries: list[Entry]) -> None:
    """The document's block structure (headings, table rows and cells, list items) is the same as
    with harmless text in every field: no field starts a heading, a row, a column, HTML or code."""
    from warroom.domain.frozen import replace

    now = T0 + 90 * M
    text = to_markdown(incident, entries, now)
    assert unsafe(text, allow="\n") == []
    names: dict[str, str] = {"": ""}  # each name its own plain one: the participants keep their rows
    name = lambda n: names.setdefault(n, f"n{len(names)}")  # noqa: E731
    plain = replace(incident, title="t", roles={r: name(v) for r, v in incident.roles.items()},
                    services=("s", "checkout"))
    plain_entries = [replace(e, text=_plain_shape(e.text), author=name(e.author), owner="o" if e.owner else "",
                             redacted_by="a" if e.redacted_by else "", redaction_reason="r" if e.redacted else "")
                     for e in entries]
    tokens = _parse(text)
    # the summary and impact are the same in both: their paragraphs count the same
    assert [(t.type, t.tag) for t in tokens] == [(t.type, t.tag) for t in _parse(to_markdown(plain, plain_entries, now))]
    # and nothing inside any block is HTML (but our <br> in cells), a link, an image or code
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or ()}
    assert not kinds & {"html_block", "code_block", "fence", "blockquote_open", "link_open", "image",
                        "code_inline", "hr"}
    assert {c.content for t in tokens for c in t.children or () if c.type == "html_inline"} <= {"<br>"}

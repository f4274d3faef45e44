"""Status updates: context from a fixed incident state, golden renderings, safety, overrides, cadence.

Golden files live in ``tests/golden/comms/``; ``UPDATE_GOLDEN=1`` rewrites them (then read the diff).
"""

from __future__ import annotations

import os
from warroom.domain.frozen import replace
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from warroom.domain.baseline import compare
from warroom.domain.panels import Panel
from warroom.comms_templates import TEMPLATES, load_template, template_names, template_source
from warroom.domain.cadence import cadence_report
from warroom.domain.comms import VARIABLES, CommsContext, comms_context
from warroom.domain.service_health import panel_matches, probe_matches, service_health
from warroom.domain.templating import TemplateError, render_template, slack_text, template_sequences
from warroom.domain.incident import Incident
from warroom.domain.metrics_view import MetricsView, PanelView
from warroom.domain.presets import SEV
from warroom.domain.timeline import Entry
from warroom.sources.probes import ProbeResult

from fixtures.support import T0

GOLDEN = Path(__file__).parent.parent / "golden" / "comms"
M = timedelta(minutes=1)
CET = timezone(timedelta(hours=1), "CET")
NOW = T0 + 22 * M
RESOLVED_NOW = T0 + 70 * M

TITLE = "Checkout <!channel> [bold red]down[/] **now** & <@U123>"
IMPACT = ("~15% of *card* payments fail with `5xx` & time out\n# not a heading\n"
          "<http://evil.example|click here> \x1b[31mred\x1b[0m")
ESC_DECISION = "<!here> fail over to eu-west _now_ \x1b]0;pwned\x07"


def _entry(id_, minutes, kind, text, author="sam", **kw) -> Entry:
    at = T0 + minutes * M
    return Entry(id=id_, incident_id=7, at=at, logged_at=kw.pop("logged_at", at), author=author, kind=kind,
                 text=text, **kw)


def open_incident() -> Incident:
    return Incident(
        id=7, title=TITLE, severity="SEV-1", status="mitigating", policy=SEV,
        milestones={"detected": T0 - 4 * M, "declared": T0, "acknowledged": T0 + 3 * M},
        roles={"commander": "Alice [IC]", "comms_lead": "Carol", "tech_lead": "Bob"},
        services=("checkout", "payments", "ledger", "search"),
        impact=IMPACT,
    )


def open_entries() -> list[Entry]:
    return [
        _entry(1, 1, "note", "just chatter"),
        _entry(2, 2, "note", "**error rate** 15x baseline [link](http://x)", starred=True),
        _entry(3, 6, "decision", "roll back v2.3.1 -> v2.3.0"),
        _entry(4, 10, "comms", "UPDATE: investigating", author="carol"),
        _entry(5, 11, "action", "check the CDN", owner="dave", due=T0 + 20 * M),
        _entry(6, 12, "status", "Status investigating → mitigating", author="alice"),
        _entry(7, 13, "decision", ESC_DECISION, author="alice", starred=True),
        _entry(8, 14, "action", "drain pool `db-1`", owner="bob", due=T0 + 40 * M),
        _entry(9, 15, "action", "page the DBA"),
        _entry(10, 16, "note", "noise after the update"),
        _entry(11, 17, "note", "[red]customer[/red] reports via support", starred=True),
        _entry(12, 18, "decision", "db password is hunter2", redacted_at=T0 + 19 * M, redacted_by="alice",
               redaction_reason="credential"),
        _entry(13, 19, "system", "Milestone acknowledged set"),
    ]


def resolved_incident() -> Incident:
    i = open_incident()
    return replace(i, status="resolved", summary="Query plan changed after an index was <b>added</b>",
                   milestones={**i.milestones, "mitigated": T0 + 30 * M, "resolved": T0 + 55 * M})


def resolved_entries() -> list[Entry]:
    return [*open_entries(),
            _entry(20, 24, "comms", "UPDATE: failing over", author="carol"),
            _entry(21, 55, "status", "Status mitigating → resolved", author="alice"),
            _entry(22, 60, "comms", "RESOLVED: all good", author="carol")]


def _panel_view(panel: Panel, current: float, baseline: float, *, error: str = "", age: timedelta = M) -> PanelView:
    return PanelView(panel, compare(current, baseline, panel), None, NOW - age, error)


def metrics_view() -> MetricsView:
    return MetricsView(panels=(
        _panel_view(Panel("Error ratio", "q1", unit="ratio", warn_ratio=2.0, crit_ratio=5.0), 0.15, 0.001),
        _panel_view(Panel("Checkout p95 latency", "q2", unit="seconds"), 2.3, 0.15),
        _panel_view(Panel("Request rate", "q3", unit="req/s", direction="lower_is_bad", warn_ratio=0.7,
                          crit_ratio=0.5), 8000, 12000),
        _panel_view(Panel("Ledger lag", "q4", unit="seconds"), 30, 10),
        _panel_view(Panel("Search qps", "q5", unit="req/s"), 100, 100, error="connection refused", age=2 * M),
        PanelView(Panel("Never read", "q6")),
    ), polled_at=NOW, ok_at=NOW)


def probes() -> list[ProbeResult]:
    return [
        ProbeResult("checkout", "http://checkout/health", False, 503, 0.01, "HTTP 503", NOW),
        ProbeResult("payments-eu", "http://eu/health", False, None, None, "timeout after 3 s", NOW),
        ProbeResult("payments-us", "http://us/health", True, 200, 0.01, "", NOW),
        ProbeResult("api", "http://api/health", True, 200, 0.01, "", NOW),
    ]


def open_context() -> CommsContext:
    return comms_context(open_incident(), open_entries(), NOW, metrics_view(), probes(), CET)


def resolved_context() -> CommsContext:
    return comms_context(resolved_incident(), resolved_entries(), RESOLVED_NOW, metrics_view(), probes(), CET)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path} (UPDATE_GOLDEN=1 rewrites it)"


# -- golden renderings ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["declared", "update", "statuspage", "customer_email"])
def test_open_incident_templates_match_golden(name: str) -> None:
    _golden(f"{name}.txt", render_template(load_template(name), open_context()))


@pytest.mark.parametrize("name", ["resolved", "statuspage", "customer_email"])
def test_resolved_incident_templates_match_golden(name: str) -> None:
    golden = "resolved.txt" if name == "resolved" else f"{name}.resolved.txt"
    _golden(golden, render_template(load_template(name), resolved_context()))


def test_slack_payload_of_the_update_matches_golden() -> None:
    template = load_template("update")
    _golden("update.slack.txt", slack_text(render_template(template, open_context()), template))


# -- user text: literal in plain text, neutralised for Slack, never terminal codes --------------


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("state", ["open", "resolved"])
def test_user_text_is_literal_and_never_a_terminal_code(name: str, state: str) -> None:
    ctx = open_context() if state == "open" else resolved_context()
    text = render_template(load_template(name), ctx)
    assert "\x1b" not in text and "\x07" not in text
    assert TITLE in text  # Rich markup, markdown and Slack syntax arrive as typed: no HTML escaping
    assert "&amp;" not in text and "&lt;" not in text
    if (state == "open" and name in ("declared", "update")) or name == "resolved":
        assert "␛]0;pwned␇" in text  # the OSC title sequence shows, harmlessly


def test_impact_keeps_its_lines_and_characters() -> None:
    text = render_template(load_template("update"), open_context())
    assert "~15% of *card* payments fail with `5xx` & time out\n# not a heading\n" in text
    assert "<http://evil.example|click here> ␛[31mred␛[0m" in text


def test_slack_text_neutralises_control_sequences_from_user_text() -> None:
    template = load_template("update")
    text = slack_text(render_template(template, open_context()), template)
    for raw in ("<!channel>", "<@U123>", "<http://evil.example|click here>", "<!here>"):
        assert raw not in text
    assert "Checkout &lt;!channel&gt; [bold red]down[/] **now** &amp; &lt;@U123&gt;" in text
    assert "&lt;http://evil.example|click here&gt;" in text
    assert "<" not in text and ">" not in text.replace("→", "")
    assert "\x1b" not in text


def test_slack_text_keeps_the_templates_own_control_sequences() -> None:
    template = "<!here> {{title}} <{{ref}}|link> & more"
    assert template_sequences(template) == frozenset({"<!here>"})
    ctx = open_context()
    text = slack_text(render_template(template, ctx), template)
    assert text == ("<!here> Checkout &lt;!channel&gt; [bold red]down[/] **now** &amp; &lt;@U123&gt; "
                    "&lt;#7|link&gt; &amp; more")
    # without the template (an edited draft of unknown origin) nothing survives
    assert slack_text("<!here> hi") == "&lt;!here&gt; hi"


def test_slack_text_escapes_entities_once() -> None:
    assert slack_text("a &lt;b&gt; & <c>") == "a &amp;lt;b&amp;gt; &amp; &lt;c&gt;"


# -- the context ------------------------------------------------------------------------------


def test_variables_are_exactly_the_documented_ones() -> None:
    assert set(open_context().variables()) == set(VARIABLES)
    assert len(VARIABLES) == len(set(VARIABLES))


def test_variables_are_plain_data_only() -> None:
    def check(value):
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str)
                check(v)
        elif isinstance(value, list):
            for v in value:
                check(v)
        else:
            assert type(value) in (str, bool, int), (value, type(value))

    check(open_context().variables())
    check(resolved_context().variables())


def test_highlights_are_since_the_last_update_without_plain_notes() -> None:
    v = open_context().variables()
    assert v["highlights_since"] == "11:10"  # the comms entry at T0+10, in CET
    assert [(h["time"], h["kind"], h["text"][:12]) for h in v["highlights"]] == [
        ("11:11", "action", "check the CD"),
        ("11:12", "status", "Status inves"),
        ("11:13", "decision", "<!here> fail"),
        ("11:14", "action", "drain pool `"),
        ("11:15", "action", "page the DBA"),
        ("11:17", "note", "[red]custome"),  # a starred note counts
    ]
    assert [h["star"] for h in v["highlights"]] == ["", "", "★ ", "", "", "★ "]


def test_highlights_before_any_update_start_at_the_beginning() -> None:
    entries = [e for e in open_entries() if e.kind != "comms"]
    v = comms_context(open_incident(), entries, NOW, tz=CET).variables()
    assert v["first_update"] is True and v["last_update_time"] == ""
    assert v["highlights_since"] == "10:56"  # detection
    assert [h["text"][:10] for h in v["highlights"]][:2] == ["**error ra", "roll back "]


def test_redacted_entries_never_appear() -> None:
    for ctx in (open_context(), resolved_context()):
        for name in TEMPLATES:
            assert "hunter2" not in render_template(load_template(name), ctx)


def test_work_in_progress_is_every_open_action_by_due_time() -> None:
    v = open_context().variables()
    assert [(w["number"], w["text"], w["owner"], w["due_text"], w["overdue"]) for w in v["work"]] == [
        (1, "check the CDN", "dave", "overdue since 11:20", True),
        (2, "drain pool `db-1`", "bob", "due 11:40", False),
        (3, "page the DBA", "unassigned", "no due time", False),
    ]


def test_next_update_comes_from_the_cadence() -> None:
    v = open_context().variables()
    assert (v["next_update"], v["next_update_datetime"], v["update_every"]) == ("11:25", "2026-11-23 11:25 CET", "15 min")
    assert (v["next_update_in"], v["update_overdue"], v["updates_sent"]) == ("3m", False, 1)
    late = comms_context(open_incident(), open_entries(), T0 + 30 * M, tz=CET).variables()
    assert (late["next_update_in"], late["update_overdue"]) == ("overdue by 5m", True)
    done = resolved_context().variables()
    assert (done["next_update"], done["has_next_update"], done["next_update_in"]) == ("", False, "")


def test_people_elapsed_and_times() -> None:
    v = open_context().variables()
    assert (v["commander"], v["comms_lead"], v["tech_lead"], v["scribe"]) == ("Alice [IC]", "Carol", "Bob", "unassigned")
    assert (v["has_scribe"], v["has_commander"]) == (False, True)
    assert (v["elapsed"], v["start_time"], v["declared_time"], v["tz"]) == ("26m", "10:56", "11:00", "CET")
    r = resolved_context().variables()
    assert (r["elapsed"], r["elapsed_words"], r["resolved_datetime"]) == ("59m", "59 minutes", "2026-11-23 11:55 CET")


def test_metrics_lines_with_marks() -> None:
    lines = [m["line"] for m in open_context().variables()["metrics"]]
    assert lines == [
        "Error ratio: 15.0 % (baseline 0.1 %, 150x) ✖ CRIT",
        "Checkout p95 latency: 2.3 s (baseline 150 ms, 15x) ✖ CRIT",
        "Request rate: 8.0k req/s (baseline 12.0k req/s, 0.67x) ▲ WARN",
        "Ledger lag: 30.0 s (baseline 10.0 s, 3.0x) ✖ CRIT",
        "Search qps: 100 req/s (baseline 100 req/s, 1.0x) ✔ OK — stale 2m",
    ]


def test_no_metrics_and_no_probes() -> None:
    v = comms_context(open_incident(), open_entries(), NOW).variables()
    assert v["metrics"] == [] and v["has_metrics"] is False
    assert [(s["name"], s["state"], s["mark"]) for s in v["services"]] == [
        ("checkout", "unknown", "⚪"), ("payments", "unknown", "⚪"), ("ledger", "unknown", "⚪"),
        ("search", "unknown", "⚪")]
    assert v["tz"] == "UTC"


def test_metrics_source_down_is_said() -> None:
    view = replace(metrics_view(), source_error="connection refused", ok_at=T0 + 20 * M)
    note = comms_context(open_incident(), open_entries(), NOW, view, None, CET).variables()["metrics_note"]
    assert note == "metrics source unreachable since 10:20 UTC: values may be old"


# -- service health ---------------------------------------------------------------------------


def test_service_health_from_probes_and_metrics() -> None:
    health = service_health(open_incident().services, metrics_view(), probes())
    assert [(h.name, h.state, h.affected) for h in health] == [
        ("checkout", "DOWN", True),  # its probe is down (its CRIT latency panel cannot make it better)
        ("payments", "DEGRADED", True),  # one of two probes down
        ("ledger", "DEGRADED", True),  # no probe, a CRIT panel named after it
        ("search", "UNKNOWN", True),  # only a stale panel: no evidence
        ("api", "HEALTHY", False),  # a probe of no affected service, listed for context
    ]
    assert health[0].reason == "probe checkout: HTTP 503; Checkout p95 latency CRIT"
    assert health[1].reason == "1 of 2 probes down (payments-eu: timeout after 3 s)"


@pytest.mark.parametrize(("verdict_values", "expected"), [
    ((0.1, 0.1), "HEALTHY"),  # OK
    ((0.2, 0.1), "DEGRADED"),  # 2x: WARN
    ((0.5, 0.1), "DEGRADED"),  # 5x: CRIT
])
def test_a_metric_alone_decides(verdict_values, expected) -> None:
    panel = Panel("Ledger error ratio", "q", unit="ratio", warn_ratio=1.5, crit_ratio=3.0)
    view = MetricsView(panels=(_panel_view(panel, *verdict_values),))
    assert service_health(["ledger"], view, None)[0].state == expected


def test_all_probes_up_but_a_crit_metric_is_degraded() -> None:
    view = MetricsView(panels=(_panel_view(Panel("checkout latency", "q", unit="seconds"), 3.0, 0.1),))
    up = [ProbeResult("checkout", "u", True, 200, 0.01, "", NOW)]
    assert service_health(["checkout"], view, up)[0].state == "DEGRADED"
    assert service_health(["checkout"], None, up)[0].state == "HEALTHY"


@pytest.mark.parametrize(("probe", "ok"), [
    ("checkout", True), ("Checkout", True), ("checkout-eu", True), ("checkout/health", True),
    ("checkout.api", True), ("checkout:8080", True), ("checkouts", False), ("my-checkout", False), ("check", False),
])
def test_probe_matching(probe: str, ok: bool) -> None:
    assert probe_matches("checkout", probe) is ok


@pytest.mark.parametrize(("title", "ok"), [
    ("Checkout p95 latency", True), ("p95 (checkout)", True), ("checkouts per second", False),
    ("pre-checkout errors", False), ("Error ratio", False),
])
def test_panel_matching(title: str, ok: bool) -> None:
    assert panel_matches("checkout", title) is ok


# -- templates: loading, overriding, safety ---------------------------------------------------


def test_bundled_templates_exist_and_render() -> None:
    assert template_names() == list(TEMPLATES)
    for name in TEMPLATES:
        assert template_source(name) is None
        assert render_template(load_template(name), open_context()).strip()


def test_a_user_template_overrides_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "update.mustache").write_text("Mine: {{title}} at {{now_time}}\r\n", encoding="utf-8")
    (tmp_path / "exec_brief.mustache").write_text("{{severity}} {{ref}}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert load_template("update", tmp_path) == "Mine: {{title}} at {{now_time}}\n"
    assert template_source("update", tmp_path) == tmp_path / "update.mustache"
    assert load_template("declared", tmp_path) == load_template("declared")  # not overridden: bundled
    assert template_source("declared", tmp_path) is None
    assert template_names(tmp_path) == [*TEMPLATES, "exec_brief"]
    assert render_template(load_template("exec_brief", tmp_path), open_context()) == "SEV-1 #7"
    assert render_template(load_template("update", tmp_path), open_context()) == f"Mine: {TITLE} at 11:22\n"
    assert load_template("update", tmp_path / "missing") == load_template("update")


@pytest.mark.parametrize("name", ["../update", "/etc/passwd", "a/b", "", ".hidden"])
def test_template_names_cannot_leave_the_directory(name: str, tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not a template name"):
        load_template(name, tmp_path)


def test_unknown_template() -> None:
    with pytest.raises(TemplateError, match="no template 'nope'"):
        load_template("nope")


def test_unreadable_user_template(tmp_path: Path) -> None:
    (tmp_path / "update.mustache").write_bytes(b"\xff\xfe bad")
    with pytest.raises(TemplateError, match="cannot read template"):
        load_template("update", tmp_path)


@pytest.mark.parametrize(("template", "message"), [
    ("{{servics}}", r"unknown variable \{\{servics\}\}"),
    ("{{#title}}{{upper}}{{/title}}", r"unknown variable \{\{upper\}\}"),  # no method calls on values
    ("{{__class__}}", r"unknown variable \{\{__class__\}\}"),
    ("{{title.__class__}}", r"unknown variable"),
    ("{{#services}}{{name}}", "template syntax error"),
    ("{{#services}}{{/work}}", "template syntax error"),
    ("{{> /etc/passwd}}", "partials"),
])
def test_templates_cannot_do_more_than_name_values(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render_template(template, open_context())


def test_all_mustache_spellings_insert_literally() -> None:
    ctx = {"x": "<b>&\"'</b>"}
    assert render_template("{{x}}|{{{x}}}|{{&x}}", ctx) == "<b>&\"'</b>|<b>&\"'</b>|<b>&\"'</b>"


def test_template_text_itself_cannot_emit_terminal_codes() -> None:
    assert render_template("\x1b[2J{{ref}}", open_context()) == "␛[2J#7"


def test_extra_variables_for_the_caller() -> None:
    ctx = replace(open_context(), extra={"war_room_link": "https://meet.example/abc"})
    assert render_template("Join: {{war_room_link}}", ctx) == "Join: https://meet.example/abc"


def test_only_plain_data_can_be_rendered() -> None:
    called = []
    ctx = replace(open_context(), extra={"hook": lambda *a: called.append(a) or "ran"})
    with pytest.raises(TemplateError, match=r"data.hook: only strings"):
        render_template("{{hook}}", ctx)
    with pytest.raises(TemplateError, match=r"data.x\[0\]: only strings"):
        render_template("{{#x}}{{.}}{{/x}}", {"x": [object()]})
    assert called == []


# -- the cadence, for the export --------------------------------------------------------------


def test_cadence_report_lists_every_update_and_whether_it_kept_the_cadence() -> None:
    entries = [
        *resolved_entries(),
        _entry(30, -2, "comms", "heads-up before declaring", author="carol"),
        _entry(31, 45, "comms", "UPDATE: monitoring\nsecond line", author="carol"),
    ]
    r = cadence_report(resolved_incident(), entries, RESOLVED_NOW)
    assert r.every == "15 min" and r.resolved
    assert [(u.entry_id, u.counted, u.kept, u.late_by, u.note) for u in r.updates] == [
        (30, False, None, None, "before declaration"),
        (4, True, True, None, ""),  # 10 min after declaring
        (20, True, True, None, ""),  # 14 min after the previous one
        (31, True, False, 6 * M, ""),  # 21 min: 6 late
        (22, False, None, None, "after resolution"),
    ]
    assert r.tail is None  # resolved 10 min after the last counted update
    assert (r.late, r.kept, r.sent) == (1, False, 5)
    assert r.to_markdown() == "\n".join([
        "## Status updates",
        "",
        "Cadence: every 15 min; 5 updates sent; cadence missed 1 time.",
        "",
        "| Sent (UTC) | By | After | Cadence | Update |",
        "|---|---|---|---|---|",
        "| 2026-11-23 09:58:00Z | carol | — | not counted (before declaration) | heads-up before declaring |",
        "| 2026-11-23 10:10:00Z | carol | 10m | kept | UPDATE: investigating |",
        "| 2026-11-23 10:24:00Z | carol | 14m | kept | UPDATE: failing over |",
        "| 2026-11-23 10:45:00Z | carol | 21m | late by 6m | UPDATE: monitoring… |",
        "| 2026-11-23 11:00:00Z | carol | — | not counted (after resolution) | RESOLVED: all good |",
        "",
    ])


def test_cadence_report_flags_an_overdue_open_window() -> None:
    r = cadence_report(open_incident(), open_entries(), T0 + 40 * M)
    assert [(u.entry_id, u.kept) for u in r.updates] == [(4, True)]
    assert r.tail is not None and r.tail.start == T0 + 10 * M and r.tail.late_by == 15 * M
    assert (r.kept, r.late, r.overdue, r.next_due) == (False, 1, 15 * M, T0 + 25 * M)
    assert r.to_markdown().endswith(
        "- no update between 2026-11-23 10:10:00Z and now (2026-11-23 10:40:00Z): late by 15m\n")
    on_time = cadence_report(open_incident(), open_entries(), NOW)
    assert (on_time.tail, on_time.kept) == (None, True)


def test_cadence_report_escapes_markdown_and_skips_redacted() -> None:
    entries = [_entry(1, 5, "comms", "| pipe **bold** <b>x</b>", author="a|b"),
               _entry(2, 6, "comms", "secret", redacted_at=T0 + 7 * M, redacted_by="x", redaction_reason="r")]
    md_text = cadence_report(open_incident(), entries, NOW).to_markdown()
    assert "| 2026-11-23 10:05:00Z | a\\|b | 5m | kept | \\| pipe \\*\\*bold\\*\\* &lt;b>x&lt;/b> |" in md_text
    assert "secret" not in md_text


def test_cadence_report_without_a_cadence() -> None:
    level4 = replace(open_incident(), severity="SEV-4")
    assert level4.level.update_every is None
    r = cadence_report(level4, open_entries(), NOW)
    assert (r.every, r.kept, [u.kept for u in r.updates]) == ("", None, [None])
    assert "This level sets no update cadence; 1 update sent." in r.to_markdown()
    v = comms_context(level4, open_entries(), NOW).variables()
    assert (v["has_cadence"], v["next_update"]) == (False, "")

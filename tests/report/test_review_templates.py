"""The review rendered from its templates (full and light): golden files for a drill incident with a
severity change, decisions, actions of every type and a 100 KB note, each parsed as CommonMark —
no HTML, link, image or heading comes from the user's text, long texts are blocks and not table
cells, automatic entries are in the appendix. A user's template replaces the bundled one."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from warroom.domain import incident as inc
from warroom.domain import markdown as md
from warroom.domain.presets import SEV
from warroom.domain.recording import Record
from warroom.domain.review import hard_breaks
from warroom.domain.templating import TemplateError
from warroom.review_templates import load_review_template, review_markdown

from fixtures.support import T0

GOLDEN = Path(__file__).parent.parent / "golden"
M = timedelta(minutes=1)
HOSTILE = "<img src=x onerror=alert(1)> [click](http://evil) ![i](http://evil/i.png) <http://evil> `code` **b**"
#: 100 KB of a note pasted whole, with markdown and HTML in it at line starts and inside.
NOTE = "\n".join(f"{n:05d} # heading? <b>html</b> [l](http://x) | cell | > quote" for n in range(1750))[:102_400]
NOTE_MARK = "[the 100 KB note, escaped, as one block]"


async def drill_incident(store):
    i = await store.declare("Checkout <b>down</b> | [x](http://evil)", SEV, "SEV-2", now=T0, author="ana",
                            detected_at=T0 - 3 * M, services=["checkout"], impact="EU card payments fail",
                            drill=True)
    t = lambda minutes: T0 + minutes * M  # noqa: E731
    await store.change(i.id, lambda x: inc.assign_role(x, "ic", "Ana"), author="ana", at=t(0), now=t(0))
    await store.change(i.id, lambda x: inc.acknowledge(x, t(1), "bo"), author="bo", at=t(1), now=t(1))
    await store.change(i.id, lambda x: inc.change_severity(x, "SEV-1"), author="ana", at=t(2), now=t(2))
    await store.append(i.id, "Pod checkout-1 CrashLoopBackOff", author="warroom", now=t(2), kind="system",
                       key="pod:ctx:shop/checkout:CrashLoopBackOff:0")
    await store.append(i.id, "Error rate CRIT (15x baseline)", author="warroom", now=t(2), kind="system",
                       key="metric:Error rate:CRIT:0")
    await store.append(i.id, HOSTILE, author="cy <script>", now=t(3))
    await store.append(i.id, NOTE, author="cy", now=t(4))
    d = await store.append(i.id, "roll back v2.3.1, no hotfix", author="ana", now=t(5), kind="decision")
    await store.star(d.id)
    await store.append(i.id, "keep EU traffic on the old region\n- until the fix ships\n# really", author="ana",
                       now=t(6), kind="decision")
    await store.append(i.id, "UPDATE: checkout degraded\nRollback in progress\n\nNext update 10:30", author="dee",
                       now=t(7), kind="comms")
    actions = [("[mitigate] [P0] roll back the deploy #OPS-1", "bo", t(30)),
               ("[prevent] [P1] alert on 5xx ratio before customers do #JIRA-123", "ana", t(60 * 24 * 4)),
               ("[process] [P2] practise the rollback in a drill", "cy", None),
               (f"[prevent] {HOSTILE} #=cmd|x", "mallory", None)]
    ids = [(await store.append(i.id, text, author="ana", now=t(8), kind="action", owner=owner, due=due)).id
           for text, owner, due in actions]
    await store.set_action_done(ids[0], by="bo", now=t(20))
    await store.append(i.id, "Checklist ✓ page the IC", author="ana", now=t(8), kind="action", key="check:SEV-1:0:0")
    await store.change(i.id, lambda x: inc.change_status(x, "monitoring", t(20)), author="ana", at=t(20),
                       now=t(20), kind="status")
    await store.change(i.id, lambda x: inc.change_status(x, "resolved", t(40)), author="ana", at=t(40), now=t(40),
                       kind="status")
    readings = []
    for m, value in [(-3, 0.4), (0, 6.0), (5, 9.5), (20, 0.6), (40, 0.4)]:
        readings.append(Record(t(m), "panel", "Error rate", {"v": value, "b": 0.5, "verdict": "CRIT" if value > 1 else
                                                            "OK", "unit": "percent", "error": "", "i": 0}))
    readings.append(Record(t(-3), "alerts", "", [["CheckoutErrors <b>", "critical", "2026-11-23T09:56:30Z",
                                                  "5xx above 5% [runbook](http://evil)"]]))
    readings.append(Record(t(20), "alerts", "", []))
    await store.record(i.id, readings)
    return i.id


async def render(store, template: str, **kw) -> str:
    incident_id = await drill_incident(store)
    return review_markdown(await store.incident(incident_id), await store.entries(incident_id), T0 + 60 * M,
                           template=template, readings=await store.readings(incident_id), **kw)


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def headings(tokens) -> list[str]:
    """What each heading reads as, rendered (its text tokens: escapes and entities resolved)."""
    return ["".join(c.content for c in tokens[n + 1].children if c.type == "text")
            for n, t in enumerate(tokens) if t.type == "heading_open"]


FULL_HEADINGS = [
    "DRILL — Incident #1: Checkout <b>down</b> | [x](http://evil)", "Summary", "Detection", "Impact",
    "Impact window", "Milestones", "Severity history", "SLA compliance", "Escalations", "Status updates",
    "Evidence", "Decisions", "Action items", "Participants", "Key moments", "Timeline", "Long entries",
    "Root cause", "Resolution", "What went well", "What went wrong", "Where we got lucky", "Lessons learned",
    "Appendix: automatic entries", "Metric transitions (1)", "Pod events (1)", "Checklist ticks (1)"]
LIGHT_HEADINGS = [
    "DRILL — Incident #1: Checkout <b>down</b> | [x](http://evil)", "Summary", "Detection", "Impact",
    "Decisions", "Action items", "Timeline", "Long entries", "What went well, and where we got lucky", "Follow-up"]


@pytest.mark.parametrize("template, expected", [("full", FULL_HEADINGS), ("light", LIGHT_HEADINGS)])
async def test_golden_review(store, template, expected):
    text = await render(store, template)
    block = hard_breaks(md.block(NOTE))
    assert text.count(block) == 1  # the note whole, once, as a block of its own
    shown = text.replace(block, NOTE_MARK)
    golden = GOLDEN / f"review_{template}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(shown, encoding="utf-8")
    assert shown == golden.read_text(encoding="utf-8")
    tokens = parse(text)
    assert headings(tokens) == expected  # every heading is the template's; none from user text
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or ()}
    assert not kinds & {"html_block", "html_inline", "link_open", "image", "code_block", "fence", "code_inline",
                        "blockquote_open"} - ({"blockquote_open"})  # the drill banner is our one quote
    assert "<br>" not in text
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert max(len(r) for r in rows) < 600  # no 100 KB row, no status update joined into a cell


async def test_the_full_review_has_the_sections_a_reader_missed(store):
    text = await render(store, "full")
    timeline = text.split("## Timeline", 1)[1].split("### Long entries", 1)[0]
    assert "CrashLoopBackOff" not in timeline and "Checklist" not in timeline  # automatic: in the appendix
    assert "CrashLoopBackOff" in text.split("## Appendix", 1)[1]
    assert "CheckoutErrors &lt;b>" in text.split("## Detection", 1)[1].split("## Impact", 1)[0]
    window = text.split("### Impact window", 1)[1].split("## Milestones", 1)[0]
    assert "9.5 %" in window and "19.0× baseline" in window
    actions = text.split("## Action items", 1)[1].split("## Participants", 1)[0]
    assert "| done 2026-11-23 10:20:00Z by bo | P0 | mitigate | roll back the deploy |" in actions
    assert "JIRA-123" in actions and "By type: mitigate 1, prevent 2, process 1." in actions
    assert "Checklist" not in actions
    decisions = text.split("## Decisions", 1)[1].split("## Action items", 1)[0]
    assert decisions.count("\n- **") == 2 and "roll back v2.3.1" in decisions
    assert "(ana):\n\n    keep EU traffic on the old region\\\n    \\- until the fix ships" in decisions
    assert "cy &lt;script>" in text.split("## Participants", 1)[1].split("##", 1)[0]


async def test_a_user_template_replaces_the_bundled_one(store, tmp_path):
    (tmp_path / "full.mustache").write_text("# Our review of {{ref}}: {{title}}\n\n{{{actions}}}\n")
    text = await render(store, "full", user_dir=tmp_path)
    assert text.startswith("# Our review of #1: Checkout &lt;b>down&lt;/b> \\| \\[x\\](http://evil)\n")
    assert headings(parse(text)) == ["Our review of #1: Checkout <b>down</b> | [x](http://evil)"]
    assert load_review_template("light", tmp_path).startswith("{{! warroom review template: the lightweight")


@pytest.mark.parametrize("template, message", [
    ("nope", "no review template 'nope'"),
    ("PATH", "unknown variable {{oops}}"),
])
async def test_a_bad_template_is_one_line(store, tmp_path, template, message):
    path = tmp_path / "bad.mustache"
    path.write_text("{{oops}}\n")
    with pytest.raises(TemplateError, match=re.escape(message)) as caught:
        await render(store, str(path) if template == "PATH" else template)
    assert "\n" not in str(caught.value)

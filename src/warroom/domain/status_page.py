"""The stakeholder page (``warroom serve``'s ``/status``): the incident's state as plain HTML.

Pure: ``(incident, entries, now) -> str``. Every text from the store is shown literally
(``text.one_line``/``clean_block``, then ``html.escape``): a ``<script>`` typed into an entry is
read, never run. The SLA words are the TUI's (``sla_words``), so the page and the room never
disagree. States are words and symbols, colour only repeats them (readable printed, on a phone,
and by a screen reader). The raw timeline is shown only when asked (``timeline``): stakeholders
get the status updates the comms lead sent, not the scribe's working notes.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Iterable

from warroom.domain.incident import ROLE_LABELS, Incident
from warroom.domain.sla import evaluate
from warroom.domain.sla_words import TARGET_NAMES, target_words, update_words
from warroom.domain.text import clean_block, one_line
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import format_clock, iso_utc, short_utc

#: How many of the last status updates (comms entries) the page lists; timeline entries likewise.
UPDATES_SHOWN = 5
TIMELINE_SHOWN = 20
#: Without JavaScript (or Server-Sent Events) the page reloads itself this often.
REFRESH_SECONDS = 30

_SYMBOL = {"met": "✔", "missed": "✖", "breached": "✖", "soon": "⚠", "ok": "●"}


def text(value: str) -> str:
    """User text for one line of HTML: control characters visible, markup shown as typed."""
    return escape(one_line(value), quote=True)


def block(value: str) -> str:
    """User text for a paragraph: line breaks kept (the stylesheet keeps them), markup shown."""
    return escape(clean_block(value), quote=True)


def _time(at: datetime) -> str:
    return f'<time datetime="{iso_utc(at)}">{escape(short_utc(at))}</time>'


def state_html(incident: Incident | None, entries: Iterable[Entry], now: datetime, *,
               timeline: bool = False, problem: str = "") -> str:
    """The live part of the page (what the Server-Sent Events replace): ``problem`` is a one-line
    reason the state could not be read (the last state read is then not shown as current)."""
    out: list[str] = []
    if problem:
        out.append(f'<p class="problem" role="alert"><strong>⚠ Not current:</strong> {text(problem)}</p>')
    if incident is None:
        out.append('<h1 id="title">No incident is open</h1>')
        out.append(f'<p class="updated">Checked {_time(now)}</p>')
        return "\n".join(out)
    entries = in_order(entries)
    report = evaluate(incident, entries, now)
    end = incident.milestones.get("resolved", now)
    since = "detection" if "detected" in incident.milestones else "declaration"
    level = incident.level
    out.append(f'<h1 id="title">{text(incident.title)}</h1>')
    out.append('<dl class="facts">')
    out.append(f'<dt>Incident</dt><dd>{escape(incident.ref)}{" (drill)" if incident.drill else ""}</dd>')
    out.append(f'<dt>Severity</dt><dd class="severity"><strong>{text(level.key)}</strong> {text(level.name)}</dd>')
    out.append(f'<dt>Status</dt><dd class="status status-{escape(incident.status)}"><strong>'
               f'{escape(incident.status.upper())}</strong></dd>')
    out.append(f'<dt>Elapsed</dt><dd class="elapsed">{escape(format_clock(end - incident.start))} since {since}'
               f'{" (resolved)" if incident.is_resolved else ""}</dd>')
    out.append(f'<dt>Declared</dt><dd>{_time(incident.milestones["declared"])}</dd>')
    if incident.services:
        out.append(f'<dt>Services</dt><dd>{", ".join(text(s) for s in incident.services)}</dd>')
    if incident.impact:
        out.append(f'<dt>Impact</dt><dd>{text(incident.impact)}</dd>')
    out.append("</dl>")

    out.append('<section aria-labelledby="h-roles"><h2 id="h-roles">Roles</h2><dl class="roles">')
    for role, label in ROLE_LABELS.items():
        name = incident.roles.get(role)
        out.append(f"<dt>{label}</dt><dd>{text(name) if name else '<em>unassigned</em>'}</dd>")
    out.append("</dl></section>")

    out.append('<section aria-labelledby="h-sla"><h2 id="h-sla">SLA targets</h2>')
    if not report.targets:
        out.append(f"<p>{text(level.key)} sets no targets.</p>")
    else:
        out.append('<table class="sla"><thead><tr><th scope="col">Target</th><th scope="col">Within</th>'
                   '<th scope="col">Deadline</th><th scope="col">State</th></tr></thead><tbody>')
        for t in report.targets:
            state, words = target_words(t, now)
            under = f" <small>(under {text(t.level)})</small>" if t.level and t.level != level.key else ""
            out.append(f'<tr class="target" data-target="{escape(t.name)}"><th scope="row">{TARGET_NAMES[t.name]}</th>'
                       f"<td>{escape(str(t.span))}</td><td>{_time(t.deadline)}</td>"
                       f'<td class="state state-{state}"><strong>{_SYMBOL[state]} {escape(words)}</strong>{under}</td></tr>')
        out.append("</tbody></table>")
    out.append("</section>")

    out.append('<section aria-labelledby="h-updates"><h2 id="h-updates">Status updates</h2>')
    u = report.update
    if u is None:
        out.append(f"<p>{text(level.key)} sets no update cadence.</p>")
    else:
        words = update_words(u, now)
        if words is None:
            out.append('<p class="next-update">No more updates are due (resolved).</p>' if u.resolved
                       else f'<p class="next-update">{text(level.key)} sets no update cadence now.</p>')
        else:
            state, said = words
            out.append(f'<p class="next-update">Next update (every {escape(str(u.every))}) due by '
                       f'{_time(u.next_due)}: <strong class="state state-{state}">{_SYMBOL[state]} '
                       f"{escape(said)}</strong></p>")
    sent = [e for e in entries if e.kind == "comms" and not e.redacted][-UPDATES_SHOWN:]
    if sent:
        out.append(f'<ol class="updates" reversed start="{len(sent)}">')
        for e in reversed(sent):
            out.append(f'<li><p class="when">{_time(e.at)} by {text(e.author)}</p>'
                       f'<p class="said">{block(e.text)}</p></li>')
        out.append("</ol>")
    else:
        out.append("<p>No status update has been sent yet.</p>")
    out.append("</section>")

    if timeline:
        shown = [e for e in entries if not e.redacted][-TIMELINE_SHOWN:]
        out.append('<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline (latest first)</h2>'
                   '<ol class="timeline">')
        for e in reversed(shown):
            out.append(f'<li>{_time(e.at)} <span class="kind">{escape(e.kind)}</span> {text(e.author)}: '
                       f'<span class="said">{block(e.text)}</span></li>')
        out.append("</ol></section>")
    out.append(f'<p class="updated">As of {_time(now)}</p>')
    return "\n".join(out)


def page_html(state: str, *, live: bool = True) -> str:
    """The whole document around ``state_html``. ``live``: the script that follows the events
    (without JavaScript the ``noscript`` refresh reloads it); not live (the server's live streams
    are all taken): the page reloads itself and says so."""
    if live:
        head = f'<noscript><meta http-equiv="refresh" content="{REFRESH_SECONDS}"></noscript>\n' \
               '<script src="status.js" defer></script>'
        note = (f"This page follows the war room as it changes (without JavaScript it reloads every "
                f"{REFRESH_SECONDS} s). Times are UTC.")
    else:
        head = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        note = (f"Live updates are full right now (too many pages are following this incident): this page "
                f"reloads every {REFRESH_SECONDS} s instead. Times are UTC.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
{head}
<title>Incident status</title>
<link rel="stylesheet" href="status.css">
</head>
<body>
<main id="state">
{state}
</main>
<footer><p id="live">{note}</p></footer>
</body>
</html>
"""


STYLESHEET = """\
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1rem; line-height: 1.45;
       color: #111; background: #fff; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.8rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin-top: 1.5rem; border-bottom: 1px solid #999; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dt { font-weight: bold; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid #ccc; vertical-align: top; }
.state-breached, .state-missed { color: #8b0000; } .state-soon { color: #7a4a00; } .state-met { color: #115e11; }
.problem { border: 2px solid #8b0000; padding: 0.5rem; }
.said { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.2rem 0 0.8rem; }
.when { margin: 0; color: #333; } .updated, footer { color: #333; font-size: 0.9rem; }
@media (max-width: 30rem) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.4rem; }
  th, td { padding: 0.25rem 0.2rem; font-size: 0.95rem; } }
@media print { footer { display: none; } a { color: inherit; } }
"""

#: Replaces the live part with each state the server sends; after a refused stream (the cap: a
#: 503; the cookie gone: a 401) it says so and reloads later (the reload says why).
SCRIPT = """\
(function () {
  var main = document.getElementById("state");
  if (!main || !window.EventSource) { setTimeout(function () { location.reload(); }, %(ms)d); return; }
  var events = new EventSource("status/events");
  events.addEventListener("state", function (e) { main.innerHTML = e.data; });
  events.onerror = function () {
    if (events.readyState !== 2) { return; }
    var live = document.getElementById("live");
    if (live) {
      live.textContent = "Live updates stopped (the server may be full or restarting): this page reloads in "
        + "%(s)d s. Times are UTC.";
    }
    setTimeout(function () { location.reload(); }, %(ms)d);
  };
})();
""" % {"ms": REFRESH_SECONDS * 1000, "s": REFRESH_SECONDS}

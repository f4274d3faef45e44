"""The JSON a chat service's incoming webhook takes, for one status update: pure, per kind.

Kinds (``KINDS``), guessed from the URL's host (:func:`kind_for_url`) or named in the config:

- ``slack``: ``{"text"}``, Slack mrkdwn: ``&``, ``<`` and ``>`` escaped (``templating.slack_text``),
  so ``<!channel>``, ``<@U123>`` or ``<http://x|y>`` typed by someone show as text;
- ``mattermost``: the same JSON; Markdown and mentions: punctuation backslash-escaped, ``@channel``,
  ``@all``, ``@here`` and ``@someone`` broken by a zero-width space after the ``@``;
- ``discord``: ``{"content", "allowed_mentions": {"parse": []}}`` (no ping, whatever the text),
  Markdown backslash-escaped, ``<@id>``, ``<#id>``, ``<@&role>`` shown as typed, ``@everyone`` broken;
- ``googlechat``: ``{"text"}``; Chat markup has no escape, so a zero-width space follows each
  markup character (``* _ ~ ` <``): ``*x*`` stays ``*x*`` and ``<users/all>`` mentions no one;
- ``teams``: a Workflows webhook message with an Adaptive Card, one ``TextBlock`` per line
  (markdown in a TextBlock: punctuation backslash-escaped);
- ``json``: a generic ``{"text", "template", "audience"}`` body, the text as is.

The template's own markup is kept: a span such as ``*Current status*`` written literally in the
template (outside ``{{…}}``) is left unescaped, as ``slack_text`` keeps a template's ``<!here>``.
A text longer than the service takes in one message (``LIMITS``: Discord's 2000 characters of
``content``, Google Chat's 4096, …) is split at line ends into several bodies, posted in order.
Control characters are made visible (``text.visible``) before anything else.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Callable

from warroom.domain.templating import slack_text
from warroom.domain.text import visible

KINDS = ("slack", "mattermost", "teams", "googlechat", "discord", "json")
#: The most characters of text one message of each kind takes (after escaping).
LIMITS = {"slack": 40000, "mattermost": 16383, "teams": 20000, "googlechat": 4096, "discord": 2000,
          "json": 100000}
ZWSP = "\u200b"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


class WebhookKindError(ValueError):
    """An unknown kind; one line naming the known ones."""


def check_kind(kind: str) -> str:
    wanted = kind.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"msteams": "teams", "microsoftteams": "teams", "gchat": "googlechat", "google": "googlechat",
               "generic": "json"}
    wanted = aliases.get(wanted, wanted)
    if wanted not in KINDS:
        raise WebhookKindError(f"unknown webhook kind {kind!r} (kinds: {', '.join(KINDS)})")
    return wanted


def kind_for_url(url: str) -> str:
    """The kind a webhook URL's host names; ``slack`` (the JSON most services accept) otherwise.
    Mattermost and self-hosted services cannot be told from their URL: name them in the config."""
    try:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
    except ValueError:
        return "slack"
    if host in ("discord.com", "discordapp.com", "canary.discord.com", "ptb.discord.com"):
        return "discord"
    if host == "chat.googleapis.com":
        return "googlechat"
    if host.endswith((".logic.azure.com", ".powerautomate.com", ".webhook.office.com", "powerplatform.com")):
        return "teams"
    return "slack"


def split_spec(spec: str) -> tuple[str | None, str]:
    """``discord+https://…`` → ``("discord", "https://…")``; a plain URL has no kind (None)."""
    head, plus, rest = spec.partition("+")
    if plus and rest.startswith(("http://", "https://")) and "/" not in head:
        return check_kind(head), rest
    return None, spec


# -- escaping --------------------------------------------------------------------------------------

#: Spans of markup a template may write itself (kept when written there literally).
_SPANS = re.compile(r"\*\*[^*\n]+\*\*|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|`[^`\n]+`|<[^<>\n]*>")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>&])")
_MENTION = re.compile(r"@(?=\w)")
_CHAT_MARKUP = re.compile(r"([*_~`<])")


def _template_spans(template_text: str) -> frozenset[str]:
    return frozenset(m.group() for m in _SPANS.finditer(template_text) if "{{" not in m.group()
                     and "}}" not in m.group())


def _keeping(text: str, allowed: frozenset[str], escape: Callable[[str], str]) -> str:
    """``escape`` applied to ``text`` except to the spans the template wrote itself."""
    out, pos = [], 0
    for m in _SPANS.finditer(text):
        if m.group() in allowed:
            out += [escape(text[pos:m.start()]), m.group()]
            pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def _markdown_no_mentions(text: str) -> str:
    return _MENTION.sub("@" + ZWSP, _markdown(text))


def _chat(text: str) -> str:
    return _MENTION.sub("@" + ZWSP, _CHAT_MARKUP.sub(r"\1" + ZWSP, text))


_ESCAPES: dict[str, Callable[[str], str]] = {
    "mattermost": _markdown_no_mentions, "discord": _markdown_no_mentions, "teams": _markdown,
    "googlechat": _chat, "json": lambda t: t,
}


def escaped(kind: str, text: str, template_text: str = "") -> str:
    """``text`` as the service of ``kind`` should show it: literally, pinging no one."""
    if kind == "slack":
        return slack_text(text, template_text)
    return _keeping(visible(text), _template_spans(template_text), _ESCAPES[kind])


# -- bodies ----------------------------------------------------------------------------------------

def _chunks(kind: str, text: str, template_text: str) -> list[str]:
    """The escaped text in pieces of at most ``LIMITS[kind]`` characters, cut at line ends when it
    can. Escaping never crosses a line end, so a piece's length is the sum of its lines'."""
    limit = LIMITS[kind]
    size = lambda t: len(escaped(kind, t, template_text))  # noqa: E731
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        length = size(line)
        if current and used + 1 + length <= limit:
            current.append(line)
            used += 1 + length
            continue
        if current:
            pieces.append("\n".join(current))
        while length > limit:  # one line longer than a message: cut it where it still fits
            low, high = 1, len(line)
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if size(line[:mid]) <= limit else (low, mid - 1)
            pieces.append(line[:low])
            line = line[low:]
            length = size(line)
        current, used = [line], length
    pieces.append("\n".join(current))
    return [escaped(kind, p, template_text) for p in pieces]


def bodies(kind: str, text: str, template_text: str = "", *, template: str = "", audience: str = "") -> list[dict]:
    """The JSON bodies (one per message, in order) that post ``text`` to a webhook of ``kind``."""
    kind = check_kind(kind)
    out: list[dict[str, Any]] = []
    for chunk in _chunks(kind, text.replace("\r\n", "\n"), template_text):
        if kind == "discord":
            out.append({"content": chunk, "allowed_mentions": {"parse": []}})
        elif kind == "teams":
            out.append(teams_card(chunk))
        elif kind == "json":
            out.append({"text": chunk, "template": template, "audience": audience})
        else:
            out.append({"text": chunk})
    return out


def teams_card(text: str) -> dict[str, Any]:
    """A Workflows ("Post to a channel when a webhook request is received") message: one Adaptive
    Card whose body is a wrapped TextBlock per line (a blank line spaces the next one out)."""
    blocks: list[dict[str, Any]] = []
    gap = False
    for line in text.split("\n"):
        if not line.strip():
            gap = bool(blocks)
            continue
        block: dict[str, Any] = {"type": "TextBlock", "text": line, "wrap": True}
        if gap:
            block["spacing"] = "Medium"
        blocks.append(block)
        gap = False
    return {"type": "message", "attachments": [{
        "contentType": CARD_TYPE, "contentUrl": None,
        "content": {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": blocks},
    }]}

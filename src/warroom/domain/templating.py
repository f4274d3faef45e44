"""Filling a status-update template: Mustache, logic-less, strict, user text inserted literally.

Mustache through ``pystache`` (chosen over ``chevron``, whose 0.14 has no escape hook and reads
partials from the working directory by default): a template can only *name* values — no
expressions, no attribute access or method calls (the data given to it is plain dicts, lists,
strings, booleans and ints, on which pystache looks nothing up but dictionary keys), and no
partials (``{{> x}}`` is refused: nothing is read from disk while rendering). Rendering is
strict: an unknown ``{{name}}`` or an unclosed section is a :class:`TemplateError` naming it,
never a silently empty hole. Loading the template files is the shell's: ``warroom.comms_templates``.

The output is plain text. User text is inserted **literally**: Mustache's HTML escaping is off,
so ``&``, ``<b>``, ``*x*`` or ``[bold]`` arrive as typed. Terminal control characters anywhere
(``\\x1b[31m``) are replaced by visible stand-ins (``␛[31m``). For a Slack webhook,
:func:`slack_text` escapes ``&``, ``<`` and ``>`` as Slack requires, so ``<!channel>``, ``<@U123>``
or ``<http://x|y>`` in user text show as text instead of pinging or linking — except control
sequences written literally in the template itself (a team's own ``<!here>``).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import pystache
from pystache.common import TemplateNotFoundError
from pystache.context import KeyNotFoundError
from pystache.parser import ParsingError, parse

from warroom.domain.comms import CommsContext
from warroom.domain.text import visible


class TemplateError(ValueError):
    """A template cannot be loaded or rendered; the message says which and why."""


def _literal(value: str) -> str:
    return value


def _check_plain(value: Any, where: str = "data") -> None:
    """Only plain data reaches pystache: it calls callables and reads attributes of other objects."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TemplateError(f"{where}: keys must be strings, got {k!r}")
            _check_plain(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    elif value is not None and type(value) not in (str, bool, int, float):
        raise TemplateError(f"{where}: only strings, numbers, booleans, lists and dicts can be rendered, "
                            f"got {type(value).__name__}")


def render_template(template_text: str, context: CommsContext | Mapping[str, Any]) -> str:
    """Fill a Mustache template with the context: plain text, user text inserted literally.

    ``{{name}}``, ``{{{name}}}`` and ``{{&name}}`` are the same here (HTML escaping is off).
    Raises :class:`TemplateError` for a syntax error, an unknown variable or a partial.
    """
    data = context.variables() if isinstance(context, CommsContext) else dict(context)
    _check_plain(data)
    text = template_text.replace("\r\n", "\n")
    try:
        parsed = parse(text, raise_on_mismatch=True)
    except ParsingError as exc:
        raise TemplateError(f"template syntax error: {exc}") from None
    except Exception as exc:  # noqa: BLE001 — pystache raises plain exceptions for bad delimiters
        raise TemplateError(f"template syntax error: {exc}") from None
    renderer = pystache.Renderer(escape=_literal, partials={}, missing_tags="strict")
    try:
        out = renderer.render(parsed, data)
    except KeyNotFoundError as exc:
        raise TemplateError(f"unknown variable {{{{{exc.key}}}}} in the template") from None
    except TemplateNotFoundError as exc:
        raise TemplateError(f"partials ({{{{> name}}}}) are not supported: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        raise TemplateError(f"template error: {exc}") from None
    return visible(out)


# Slack

_SLACK_SEQUENCE = re.compile(r"<[^<>\n]*>")


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def template_sequences(template_text: str) -> frozenset[str]:
    """The Slack control sequences (``<!here>``, ``<@U123>``…) written literally in a template."""
    return frozenset(m.group() for m in _SLACK_SEQUENCE.finditer(template_text)
                     if "{{" not in m.group() and "}}" not in m.group() and len(m.group()) > 2)


def slack_text(text: str, template_text: str = "") -> str:
    """``text`` made safe for a Slack ``{"text": …}`` payload.

    ``&``, ``<`` and ``>`` are escaped (``&amp;``, ``&lt;``, ``&gt;``) so that nothing in the
    message is a Slack control sequence — no ``<!channel>`` ping, ``<@U123>`` mention or
    ``<http://…|label>`` disguised link — except the sequences that ``template_text`` itself
    writes literally. Works on an edited draft as well as on a fresh rendering. Control
    characters become visible.
    """
    allowed = template_sequences(template_text) if template_text else frozenset()
    out: list[str] = []
    pos = 0
    for m in _SLACK_SEQUENCE.finditer(text):
        if m.group() in allowed:
            out.append(_slack_escape(text[pos:m.start()]))
            out.append(m.group())
            pos = m.end()
    out.append(_slack_escape(text[pos:]))
    return visible("".join(out))

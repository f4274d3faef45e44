"""Making user and cluster text safe to show: literally, on one line, never as terminal codes.

The one sanitiser: every byte from a source, the database or a user that reaches a terminal
(the TUI, CLI tables and errors, ``doctor``, the clipboard) or an export goes through here.
"""

from __future__ import annotations

import re

from warroom.domain.patterns import Pattern

# What a terminal (or a reader) could take for something other than text:
_UNSAFE = Pattern(
    "["
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls except tab/newline, DEL, C1 controls (\x9b is CSI)
    "\u2028\u2029"  # line and paragraph separators (str.splitlines breaks on them)
    "\ud800-\udfff"  # lone surrogates: undecodable bytes from argv/files (surrogateescape)
    # Unicode format characters (category Cf): bidi marks, embeddings, overrides and isolates
    # (U+202E, U+2066 …), zero-width space, word joiner, BOM, invisible tags. Kept: the soft
    # hyphen and the zero-width (non-)joiners, which emoji and several scripts need.
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "]"
)


def _picture(m: re.Match) -> str:
    ch = m.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL … (Unicode control pictures)
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0xD800 <= code <= 0xDFFF:
        return _byte(m)  # an undecodable byte: <0xFF>
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """Replace control characters with visible stand-ins: ``\\x1b[31m`` shows as ``␛[31m``.

    Newlines and tabs are kept (multi-line text); everything else a terminal could act on is shown."""
    if text.isascii() and text.isprintable():  # nothing to show otherwise (nor a pattern to compile)
        return text
    return _UNSAFE.sub(_picture, text)


def one_line(text: str) -> str:
    """``visible`` and folded onto one line (newlines shown as ``⏎``, tabs as spaces)."""
    return visible(text.replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", "    "))


def clean_line(text: str) -> str:
    """User text for one line of a message: any line break folded (``⏎``), ends trimmed."""
    return one_line(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def clean_block(text: str) -> str:
    """User text for a message body: line breaks kept, control characters visible, ends trimmed."""
    return visible(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


# What Python makes of bytes that are not UTF-8 in argv or the environment (PEP 383), and any
# other lone surrogate: no such text can be encoded, so it could be neither stored nor printed.
_SURROGATE = Pattern("[\ud800-\udfff]")


def _byte(m: re.Match) -> str:
    code = ord(m.group())
    return f"<0x{code - 0xDC00:02X}>" if 0xDC80 <= code <= 0xDCFF else f"<U+{code:04X}>"


def decodable(text: str) -> str:
    """``text`` with every byte that was not UTF-8 made visible: ``warroom log $'\\xff'`` logs ``<0xFF>``."""
    if text.isascii():  # no surrogate (nor a pattern to compile)
        return text
    return _SURROGATE.sub(_byte, text)


def _json_escape(m: re.Match) -> str:
    code = ord(m.group())
    if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_visible(document: str) -> str:
    """A JSON document (``json.dumps(..., ensure_ascii=False)``) with the same unsafe characters
    as ``\\uXXXX`` escapes: the data is unchanged for a parser, and nothing raw reaches a terminal.
    (They can only occur inside strings, where any character may be escaped.)"""
    return _UNSAFE.sub(_json_escape, document)


# -- pasted text ---------------------------------------------------------------------------------
# What a terminal would act on rather than show: CSI (colours, cursor moves), OSC (titles,
# hyperlinks, the clipboard), DCS/SOS/PM/APC strings, and the short ESC sequences; in their
# 7-bit (ESC …) and 8-bit (C1) spellings. An OSC or DCS string ends at BEL or ST; one left open
# ends with the text.
_STRING_END = r"(?:\x07|\x1b\\|\x9c|$)"
_SHORT = r"(?:[ -/]+[0-~]|[0-OQ-WYZ\\`-~])"  # a final byte that does not open a CSI or a string
_ESCAPES = Pattern(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI … final byte
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[\s\S]*?" + _STRING_END  # OSC, DCS, SOS, PM, APC
    + r"|\x1b" + _SHORT  # ESC ( B, ESC 7, ESC = …
)


def without_escapes(text: str) -> str:
    """``text`` with every terminal escape sequence taken out, the text around it in its order:
    ``kubectl says: ␛[32mRunning␛[0m ok`` reads ``kubectl says: Running ok``."""
    return _ESCAPES.sub("", text)


def pasted(text: str) -> str:
    """Pasted text as the scribe meant it: colour and cursor codes removed (what a terminal
    showed as formatting), any other control character made visible (``␇``), line breaks and
    tabs kept for the caller to fold."""
    return visible(without_escapes(text.replace("\r\n", "\n").replace("\r", "\n")))


PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
# Inside a bracketed paste, from an ESC: the end of the paste, a whole sequence, or (at the end
# of what was read so far) the start of either, to wait for.
_IN_PASTE_SEQUENCE = Pattern(
    r"\x1b\[201~"
    r"|\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_](?:(?!\x1b\[201~)[\s\S])*?(?:\x07|\x1b\\|(?=\x1b\[201~))"
    r"|\x1b" + _SHORT
)
_PARTIAL = Pattern(r"\x1b(?:\[[0-?]*[ -/]*|[\]PX^_][\s\S]*|[ -/]*)")


class PasteStream:
    """Terminal input with the escape sequences inside bracketed pastes taken out, before a
    parser reads it: an ESC inside a paste ends the paste for Textual's parser, which then types
    the rest as keys ahead of the paste (``^[32mRunning^[0m okkubectl says:``). Outside a paste
    everything passes at once, untouched (a lone ESC is the Escape key); inside one, a sequence
    cut by the end of a read waits for the next read."""

    def __init__(self) -> None:
        self._in_paste = False
        self._held = ""  # inside a paste: the start of a sequence not yet complete
        self._tail = ""  # outside: the last few characters passed, to find a start cut in two

    def feed(self, data: str) -> str:
        out: list[str] = []
        data = self._held + data
        self._held = ""
        while data:
            if not self._in_paste:
                seen = self._tail + data
                at = seen.find(PASTE_START)
                if at < 0:
                    out.append(data)
                    self._tail = seen[-(len(PASTE_START) - 1):]
                    return "".join(out)
                cut = at + len(PASTE_START) - len(self._tail)  # the start's end, in ``data``
                out.append(data[:cut])
                data, self._tail, self._in_paste = data[cut:], "", True
                continue
            esc = data.find("\x1b")
            if esc < 0:
                out.append(data)
                return "".join(out)
            out.append(data[:esc])
            m = _IN_PASTE_SEQUENCE.match(data, esc)
            if m is None and _PARTIAL.fullmatch(data, esc):
                self._held = data[esc:]  # cut by the end of the read: wait for the rest
                return "".join(out)
            if m is None:
                out.append("\u241b")  # a lone ESC: shown as ␛
                data = data[esc + 1:]
            elif m.group() == PASTE_END:
                out.append(PASTE_END)
                data, self._in_paste = data[m.end():], False
            else:
                data = data[m.end():]  # a colour, a title …: dropped
        return "".join(out)

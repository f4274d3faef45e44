"""Making user and cluster text safe to show: literally, on one line, never as terminal codes.

The one sanitiser: every byte from a source, the database or a user that reaches a terminal
(the TUI, CLI tables and errors, ``doctor``, the clipboard) or an export goes through here.
"""

from __future__ import annotations

import re

# What a terminal (or a reader) could take for something other than text:
_UNSAFE = re.compile(
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
_SURROGATE = re.compile("[\ud800-\udfff]")


def _byte(m: re.Match) -> str:
    code = ord(m.group())
    return f"<0x{code - 0xDC00:02X}>" if 0xDC80 <= code <= 0xDCFF else f"<U+{code:04X}>"


def decodable(text: str) -> str:
    """``text`` with every byte that was not UTF-8 made visible: ``warroom log $'\\xff'`` logs ``<0xFF>``."""
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

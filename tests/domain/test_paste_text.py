"""Pasted text keeps its order with the terminal's escape sequences taken out (``domain.text``)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.domain.text import PASTE_END, PASTE_START, PasteStream, pasted, without_escapes

KUBECTL = "kubectl says: \x1b[32mRunning\x1b[0m ok"


@pytest.mark.parametrize(("raw", "clean"), [
    (KUBECTL, "kubectl says: Running ok"),
    ("\x1b[1;31mERROR\x1b[m pod api-1", "ERROR pod api-1"),
    ("\x1b]0;evil title\x07after", "after"),  # OSC ended by BEL
    ("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ text", "link text"),  # a hyperlink, ended by ST
    ("\x1bP+q544e\x1b\\dcs gone", "dcs gone"),
    ("\x1b(Bcharset \x1b7saved", "charset saved"),
    ("\x9b31mC1 CSI", "C1 CSI"),
    ("open \x1b]0;never closed", "open "),
])
def test_escape_sequences_are_taken_out_and_the_text_keeps_its_order(raw, clean):
    assert without_escapes(raw) == clean


def test_other_control_characters_are_shown_and_line_breaks_kept():
    assert pasted("bell\x07 nul\x00 lone esc \x1b\r\nnext\tline") == "bell␇ nul␀ lone esc ␛\nnext\tline"


def test_a_paste_read_in_pieces_reads_as_one():
    data = f"ab{PASTE_START}{KUBECTL} \x1b]0;t\x07\x1b]8;;u\x1b\\L{PASTE_END}\x1bq"
    whole = f"ab{PASTE_START}kubectl says: Running ok L{PASTE_END}\x1bq"
    for cut in range(1, len(data)):
        for cut2 in range(cut, len(data)):
            stream = PasteStream()
            assert stream.feed(data[:cut]) + stream.feed(data[cut:cut2]) + stream.feed(data[cut2:]) == whole


def test_outside_a_paste_everything_passes_at_once():
    stream = PasteStream()
    assert stream.feed("\x1b") == "\x1b"  # the Escape key is not held back
    assert stream.feed("[A\x1b[32m") == "[A\x1b[32m"


SAFE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf")), max_size=12)
ESCAPES = st.one_of(
    st.from_regex(r"\x1b\[[0-9;]{0,6}[A-Za-z]", fullmatch=True),
    st.from_regex(r"\x1b\][0-9];[a-z ]{0,8}(\x07|\x1b\\)", fullmatch=True),
    st.sampled_from(["\x1b(B", "\x1b7", "\x1b8", "\x1b=", "\x9b0m"]),
)


@given(st.lists(st.tuples(SAFE, ESCAPES), max_size=6), SAFE)
def test_order_is_kept_whatever_the_escapes(parts, last):
    raw = "".join(text + esc for text, esc in parts) + last
    assert pasted(raw) == "".join(text for text, _ in parts) + last


@given(st.text(max_size=60))
def test_no_control_character_comes_out(raw):
    out = pasted(raw)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert pasted(out) == out  # and cleaning again changes nothing


@given(st.lists(st.tuples(SAFE, ESCAPES), max_size=5), st.lists(st.integers(0, 200), max_size=4))
def test_a_paste_arrives_clean_however_it_is_read(parts, cuts):
    body = "".join(text + esc for text, esc in parts)
    data = f"x{PASTE_START}{body}{PASTE_END}y"
    stream, out, at = PasteStream(), [], 0
    for cut in sorted(c % (len(data) + 1) for c in cuts):
        out.append(stream.feed(data[at:cut]))
        at = max(at, cut)
    out.append(stream.feed(data[at:]))
    before, start, rest = "".join(out).partition(PASTE_START)
    body, end, after = rest.partition(PASTE_END)
    assert (before, start, end, after) == ("x", PASTE_START, PASTE_END, "y")
    assert "\x1b" not in body  # nothing inside for Textual's parser to end the paste at
    assert pasted(body) == "".join(text for text, _ in parts)  # (C1 codes: taken out by the line)

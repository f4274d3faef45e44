"""Placeholder and dim text readable on a projector (issue #18, item 8): WCAG AA, 4.5:1, measured
on what the app really draws — the rendered segments' colours, after the theme, the stylesheet
and Textual's colour filters — in both themes, wide and narrow."""

from __future__ import annotations

import pytest
from textual.geometry import Region

from warroom.domain.contrast import AA_BODY, contrast_ratio
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.theme import DEFAULT_THEME, HIGH_CONTRAST
from warroom.ui.widgets.timeline import ScribeInput

from fixtures.support import T0


def drawn(widget) -> list[tuple[str, float]]:
    """Each piece of text the widget draws, with its contrast on the background it is drawn on."""
    width, height = widget.region.size  # border and padding included
    out = []
    for strip in widget.render_lines(Region(0, 0, width, height)):
        for segment in strip:
            style = segment.style
            text = segment.text.strip()
            if all("\u2500" <= ch <= "\u259f" for ch in text):
                continue  # blank, or a border or the cursor's bar: lines, not text to read
            if style is not None and style.color and style.bgcolor:
                fg, bg = style.color.triplet, style.bgcolor.triplet
                if style.reverse:
                    fg, bg = bg, fg
                out.append((text, contrast_ratio(tuple(fg), tuple(bg))))
    return out


@pytest.mark.parametrize("theme", [DEFAULT_THEME, HIGH_CONTRAST.name])
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
async def test_placeholder_and_dim_text_meet_wcag_aa(make_app, db_path, theme, size):
    async with Store.open(db_path) as store:
        inc = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.append(inc.id, "pool at 95%", author="scribe", now=T0)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await app.loaded.wait()
        app.theme = theme
        await pilot.pause()
        box = app.query_one(ScribeInput)
        placeholder = [(text, ratio) for text, ratio in drawn(box) if "an entry, Enter to log" in text]  # (its first letter is under the cursor)
        assert placeholder, drawn(box)
        muted = placeholder + drawn(app.query_one("#entry-detail"))  # the date, author, kind: dim
        hint = app.query_one("#scribe-hint")
        if hint.display:
            muted += drawn(hint)  # the grammar help, dim
        low = [(text, round(ratio, 2)) for text, ratio in muted if ratio < AA_BODY]
        assert not low, f"below {AA_BODY}:1 in {theme} at {size}: {low}"

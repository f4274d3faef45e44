"""How the war room looks: its stylesheet, the width below which panes stack, and a high-contrast
theme for projectors and shared screens (pure black, pure white, bright signals)."""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

#: below this many columns the panes take turns (ctrl+o) instead of sitting side by side
NARROW_WIDTH = 120
#: below this many rows the SLA pane keeps to 40% of the left column (its checklist scrolls), so
#: that every metric and five pods fit under it (120x40)
SHORT_HEIGHT = 50


def styles_path() -> Path:
    """``warroom/styles`` in an installed wheel; the checkout's top-level ``styles/`` otherwise."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "styles" / "warroom.tcss"
    return installed if installed.exists() else here.parent.parent / "styles" / "warroom.tcss"


HIGH_CONTRAST = Theme(
    name="warroom-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#333333",
    warning="#FFFF00",
    error="#FF3030",
    success="#00FF00",
    dark=True,
)
DEFAULT_THEME = "textual-dark"

# Muted text, readable on a projector (WCAG AA 4.5:1 in both themes; measured on the rendered
# screen by ``tests/ui/test_contrast.py``): placeholders use ``$text-muted`` (styles/warroom.tcss),
# 6.3:1 to 7.4:1, rather than Textual's ``$text-disabled`` (3.4:1); dim text is drawn by Textual as
# a colour two thirds of the way from the background to the text colour (6.6:1 in textual-dark,
# 8.8:1 in high contrast), never left to a terminal's faint attribute.

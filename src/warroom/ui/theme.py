"""A high-contrast theme for projectors and shared screens (pure black, pure white, bright signals)."""

from __future__ import annotations

from textual.theme import Theme

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

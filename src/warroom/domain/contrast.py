"""How readable a colour is on another: the WCAG 2 contrast ratio (1:1 to 21:1).

AA asks 4.5:1 for body text; a projector in a lit room loses contrast, so the war room's muted
texts are chosen against this number rather than by eye (see ``ui/theme.py``).
"""

from __future__ import annotations

RGB = tuple[int, int, int]

#: WCAG AA for body text
AA_BODY = 4.5


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0 black … 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: RGB, background: RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: the same either way round."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)

"""The WCAG contrast ratio (``domain.contrast``)."""

from __future__ import annotations

import pytest

from warroom.domain.contrast import contrast_ratio


@pytest.mark.parametrize(("fg", "bg", "ratio"), [
    ((0, 0, 0), (255, 255, 255), 21.0),
    ((255, 255, 255), (255, 255, 255), 1.0),
    ((0x76, 0x76, 0x76), (255, 255, 255), 4.54),  # the lightest grey that passes AA on white
    ((0x79, 0x79, 0x79), (0x27, 0x27, 0x27), 3.43),  # the placeholder as it was (issue #18)
])
def test_contrast_ratio(fg, bg, ratio):
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(bg, fg) == contrast_ratio(fg, bg)

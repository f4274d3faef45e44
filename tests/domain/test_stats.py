"""The summaries of ``warroom stats``: median, nearest-rank p90 and mean; rates with pending apart."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.stats import Rate, spread

M = timedelta(minutes=1)


def test_median_p90_and_mean_by_their_definitions() -> None:
    assert spread([]) == spread(())  # nothing recorded: no figure, not zero
    assert spread([]).median is None and spread([]).count == 0
    odd = spread([7 * M, 1 * M, 4 * M])
    assert (odd.median, odd.p90, odd.mean) == (4 * M, 7 * M, 4 * M)
    even = spread([m * M for m in (10, 1, 2, 3, 4, 5, 6, 7, 8, 9)])
    assert even.median == 5.5 * M  # the mean of the two middle values
    assert even.p90 == 9 * M  # the ⌈0.9 · 10⌉ = 9th smallest
    assert even.mean == 5.5 * M
    assert spread([m * M for m in range(1, 12)]).p90 == 10 * M  # ⌈9.9⌉ = 10th of 11


def test_a_rate_with_nothing_judged_is_no_rate() -> None:
    assert Rate(0, 0, 2).value is None and Rate(1, 4).value == 0.25

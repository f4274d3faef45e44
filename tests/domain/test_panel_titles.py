"""Short metric titles: narrow columns still tell the panels apart."""

from __future__ import annotations

import pytest

from warroom.domain.panel_titles import cut, short_titles
from warroom.domain.panels import Panel

DRILL = [Panel("Checkout error ratio", "drill: Checkout error ratio"),
         Panel("Checkout p95 latency", "drill: Checkout p95 latency"),
         Panel("Orders per second", "drill: Orders per second")]


def test_titles_that_fit_are_unchanged():
    assert short_titles(DRILL, 20) == ["Checkout error ratio", "Checkout p95 latency", "Orders per second"]


@pytest.mark.parametrize("width", [9, 11, 13, 16, 19])
def test_a_shared_first_word_gives_way_to_what_differs(width):
    titles = short_titles(DRILL, width)
    assert len(set(titles)) == 3, titles
    assert all(len(t) <= width for t in titles), titles
    assert titles[0].startswith(("Ch", "error")) and "error" in titles[0] and "p95" in titles[1], titles


def test_the_shared_words_are_kept_abbreviated_when_there_is_room():
    assert short_titles(DRILL, 13)[:2] == ["error ratio", "p95 latency"]
    assert short_titles(DRILL, 17)[:2] == ["Chec… error ratio", "Chec… p95 latency"]
    assert short_titles(DRILL, 13)[2] == "Orders per s…"


def test_several_shared_words():
    panels = [Panel("API p99 latency eu", "a"), Panel("API p99 latency us", "b"), Panel("API errors", "c")]
    assert short_titles(panels, 8) == ["API… eu", "API… us", "errors"]
    assert short_titles(panels, 6) == ["eu", "us", "errors"]


def test_titles_still_alike_after_cutting_take_the_query_s_distinguishing_part():
    panels = [Panel("Latency eu-west-1-checkout", 'histogram_quantile(0.95, rate(x{service="checkout"}[5m]))'),
              Panel("Latency eu-west-1-cart", 'histogram_quantile(0.95, rate(x{service="cart"}[5m]))')]
    titles = short_titles(panels, 12)
    assert len(set(titles)) == 2, titles
    assert titles[0].endswith("checkout") and titles[1].endswith("cart"), titles
    assert all(len(t) <= 12 for t in titles)


def test_identical_queries_fall_back_to_the_panel_s_number():
    panels = [Panel("Saturation of the pool A", "x"), Panel("Saturation of the pool B", "x")]
    titles = short_titles(panels, 6)
    assert len(set(titles)) == 2 and all(len(t) <= 6 for t in titles), titles


def test_cut():
    assert cut("abcdef", 4) == "abc…" and cut("abc", 4) == "abc" and cut("abc", 0) == ""

"""Metrics vs baseline, pure: panel config, verdicts, formatting (decoding: tests/sources/test_prometheus_wire.py)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from warroom.domain.baseline import Reading, Series, compare, constant_series, describe, worst
from warroom.domain.panels import DEFAULT_RATIOS, Panel, PanelConfigError, baseline_query, default_panels, parse_panels
from warroom.domain.times import parse_duration
from warroom.domain.units import format_deviation, format_ratio, format_value

UTC = timezone.utc
INF, NAN = math.inf, math.nan
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

LATENCY = Panel("p95 latency", "histogram_quantile(0.95, x)", unit="seconds", warn_ratio=1.5, crit_ratio=3)
TRAFFIC = Panel("Request rate", "sum(rate(r[5m]))", unit="req/s", direction="lower_is_bad",
                warn_ratio=0.7, crit_ratio=0.5)


# -- configuration ----------------------------------------------------------------------------


def test_parse_panels_minimal_gets_defaults() -> None:
    [p] = parse_panels([{"title": "Errors", "query": "sum(x)"}])
    assert p == Panel("Errors", "sum(x)")
    assert (p.unit, p.baseline, p.direction) == ("", "offset 1d", "higher_is_bad")
    assert p.baseline_shift == timedelta(days=1)
    assert p.ratios == DEFAULT_RATIOS["higher_is_bad"] == (1.5, 3.0)


def test_parse_panels_full_and_normalised() -> None:
    [p] = parse_panels([{
        "title": " Traffic ", "query": "sum(rate(r[5m]))", "unit": "RPS", "baseline": "OFFSET  7d",
        "direction": "lower_is_bad", "warn_ratio": 0.8, "crit_ratio": 0.5, "warn_abs": 100, "crit_abs": 10,
    }])
    assert p.title == "Traffic"
    assert p.unit == "req/s"
    assert p.baseline == "offset 7d" and p.baseline_shift == timedelta(days=7)
    assert (p.warn_abs, p.crit_abs) == (100.0, 10.0) and isinstance(p.warn_abs, float)
    assert p.ratios == (0.8, 0.5)


@pytest.mark.parametrize("baseline, fixed", [(0.2, 0.2), (3, 3.0), ("0.5", 0.5), (0, 0.0)])
def test_fixed_baseline(baseline: object, fixed: float) -> None:
    p = Panel("x", "q", baseline=baseline)  # type: ignore[arg-type]
    assert p.baseline_fixed == fixed and p.baseline_shift is None
    assert baseline_query(p) is None


def test_absolute_thresholds_only_disable_default_ratios() -> None:
    p = Panel("x", "q", crit_abs=1.0)
    assert p.ratios == (None, None)


@pytest.mark.parametrize("items, message", [
    ("nope", "panels: expected an array of tables"),
    ([["a"]], "panels[0]: expected a table, got list"),
    ([{"query": "q"}], "panels[0]: 'title' is required"),
    ([{"title": "A", "query": "q"}, {"title": "B"}], "panels[1] ('B'): 'query' is required"),
    ([{"title": "A", "query": "q", "treshold": 2}], "panels[0] ('A'): unknown field 'treshold'"),
    ([{"title": "A", "query": "  "}], "panels[0] ('A').query: expected a non-empty string"),
    ([{"title": 5, "query": "q"}], "panels[0].title: expected a non-empty string, got 5"),
    ([{"title": "A", "query": "q", "unit": "secnds"}], "panels[0] ('A').unit: unknown unit 'secnds'"),
    ([{"title": "A", "query": "q", "baseline": "yesterday"}],
     "panels[0] ('A').baseline: expected 'offset 1d', 'offset 7d' (any 'offset <duration>') or a number"),
    ([{"title": "A", "query": "q", "baseline": "offset 1 day"}], "panels[0] ('A').baseline: expected 'offset 1d'"),
    ([{"title": "A", "query": "q", "baseline": "offset 0d"}], "panels[0] ('A').baseline: offset must be positive"),
    ([{"title": "A", "query": "q", "baseline": True}], "panels[0] ('A').baseline: expected 'offset 1d'"),
    ([{"title": "A", "query": "q", "baseline": "inf"}],
     "panels[0] ('A').baseline: a fixed baseline must be a finite number"),
    ([{"title": "A", "query": "q", "direction": "up"}],
     "panels[0] ('A').direction: expected 'higher_is_bad' or 'lower_is_bad', got 'up'"),
    ([{"title": "A", "query": "q", "warn_ratio": "2"}], "panels[0] ('A').warn_ratio: expected a finite number"),
    ([{"title": "A", "query": "q", "crit_abs": NAN}], "panels[0] ('A').crit_abs: expected a finite number"),
    ([{"title": "A", "query": "q", "warn_ratio": 0.5}],
     "panels[0] ('A').warn_ratio: must be above 1 for higher_is_bad"),
    ([{"title": "A", "query": "q", "direction": "lower_is_bad", "crit_ratio": 2}],
     "panels[0] ('A').crit_ratio: must be between 0 and 1 for lower_is_bad"),
    ([{"title": "A", "query": "q", "warn_ratio": 3, "crit_ratio": 2}],
     "panels[0] ('A').crit_ratio: must be above warn_ratio (3) for higher_is_bad, got 2"),
    ([{"title": "A", "query": "q", "direction": "lower_is_bad", "warn_abs": 5, "crit_abs": 10}],
     "panels[0] ('A').crit_abs: must be below warn_abs (5) for lower_is_bad, got 10"),
    ([{"title": "A", "query": "q"}, {"title": "A", "query": "r"}],
     "panels[1] ('A').title: duplicate title, already used by panels[0]"),
])
def test_parse_panels_errors_name_index_and_field(items: object, message: str) -> None:
    with pytest.raises(PanelConfigError) as info:
        parse_panels(items)
    assert str(info.value).startswith(message), str(info.value)


def test_panel_constructor_validates_too() -> None:
    with pytest.raises(PanelConfigError, match="must be above 1") as info:
        Panel("x", "q", crit_ratio=0.9)
    assert info.value.field == "crit_ratio"


def test_parse_duration() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("1w") == timedelta(days=7)
    assert parse_duration("500ms") == timedelta(milliseconds=500)
    with pytest.raises(ValueError):
        parse_duration("1 day")


def test_default_panels_use_common_metric_names() -> None:
    panels = default_panels()
    assert [p.title for p in panels] == ["Error ratio", "p95 latency", "Request rate"]
    errors, latency, rate = panels
    assert 'http_requests_total{code=~"5.."}' in errors.query
    assert 'http_requests_total{status=~"5.."}' in errors.query
    assert "or vector(0)" in errors.query  # no 5xx series: 0 %, not "no data"
    assert "http_request_duration_seconds_bucket" in latency.query and "0.95" in latency.query
    assert rate.direction == "lower_is_bad" and rate.unit == "req/s"
    assert errors.unit == "ratio" and latency.unit == "seconds"
    # they survive a round trip through the config parser
    as_dicts = [{k: getattr(p, k) for k in ("title", "query", "unit", "baseline", "direction", "warn_ratio",
                                              "crit_ratio", "warn_abs", "crit_abs")} for p in panels]
    assert parse_panels(as_dicts) == panels


def test_baseline_query_is_the_same_query_evaluated_earlier() -> None:
    p = Panel("x", 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
              baseline="offset 7d")
    plan = baseline_query(p)
    assert plan is not None
    assert plan.query == p.query  # no "(...) offset 7d", which is not PromQL
    assert plan.shift == timedelta(days=7)
    assert plan.at(T0) == T0 - timedelta(days=7)


# -- compare ----------------------------------------------------------------------------------


@pytest.mark.parametrize("current, verdict", [(0.15, "OK"), (0.2249, "OK"), (0.225, "WARN"), (0.449, "WARN"),
                                              (0.45, "CRIT"), (2.3, "CRIT"), (0.01, "OK")])
def test_higher_is_bad_ratio_thresholds(current: float, verdict: str) -> None:
    r = compare(current, 0.15, LATENCY)
    assert r.verdict == verdict
    assert r.ratio == pytest.approx(current / 0.15)
    assert r.deviation_pct == pytest.approx((current / 0.15 - 1) * 100)


def test_reading_fields_and_reasons() -> None:
    r = compare(2.3, 0.15, LATENCY)
    assert (r.current, r.baseline, r.verdict) == (2.3, 0.15, "CRIT")
    assert r.ratio == pytest.approx(15.333333)
    assert r.reasons == ("15x baseline ≥ crit 3.0x",)
    assert r.note == ""


@pytest.mark.parametrize("current, verdict", [(100, "OK"), (71, "OK"), (70, "WARN"), (51, "WARN"),
                                              (50, "CRIT"), (0, "CRIT"), (500, "OK")])
def test_lower_is_bad(current: float, verdict: str) -> None:
    assert compare(current, 100, TRAFFIC).verdict == verdict


def test_absolute_thresholds_alone() -> None:
    p = Panel("Errors", "q", unit="ratio", baseline=0.01, warn_abs=0.02, crit_abs=0.05)
    assert compare(0.019, 0.01, p).verdict == "OK"  # 1.9x, but no ratio thresholds
    assert compare(0.02, 0.01, p).verdict == "WARN"
    r = compare(0.05, 0.01, p)
    assert r.verdict == "CRIT" and r.reasons == ("5.0 % ≥ crit 5.0 %",)


def test_absolute_threshold_raises_a_ratio_ok() -> None:
    p = Panel("p95", "q", unit="seconds", warn_ratio=2, crit_ratio=4, crit_abs=1.0)
    r = compare(1.2, 1.0, p)  # 1.2x the baseline, but above one second
    assert r.verdict == "CRIT"
    assert r.reasons == ("1.2 s ≥ crit 1.0 s",)


def test_worst_of_ratio_and_absolute_wins() -> None:
    p = Panel("p95", "q", unit="seconds", warn_ratio=2, crit_ratio=4, warn_abs=1.0)
    r = compare(4.0, 0.5, p)
    assert r.verdict == "CRIT"
    assert len(r.reasons) == 2


def test_lower_is_bad_absolute() -> None:
    p = Panel("Traffic", "q", unit="req/s", direction="lower_is_bad", warn_abs=50, crit_abs=10)
    assert compare(51, None, p).verdict == "OK"
    assert compare(50, None, p).verdict == "WARN"
    assert compare(10, None, p).verdict == "CRIT"


def test_no_data() -> None:
    r = compare(None, 0.01, LATENCY)
    assert r.verdict == "NO DATA" and r.ratio is None and r.deviation_pct is None
    assert r.note == "no data"


def test_nan_current_is_no_data() -> None:
    r = compare(NAN, 0.01, LATENCY, notes=["sum of 2 series"])
    assert r.verdict == "NO DATA"
    assert r.note == "value is NaN; sum of 2 series"


def test_plus_inf_current() -> None:
    r = compare(INF, 0.2, LATENCY)
    assert r.ratio == INF and r.deviation_pct == INF and r.verdict == "CRIT"
    assert compare(INF, 100, TRAFFIC).verdict == "OK"  # more traffic is not bad
    assert compare(-INF, 100, TRAFFIC).verdict == "CRIT"


@pytest.mark.parametrize("baseline, note", [(None, "no baseline data"), (NAN, "baseline is NaN"),
                                            (INF, "baseline is +Inf"), (-1.0, "negative baseline: no ratio")])
def test_unusable_baseline_leaves_absolute_thresholds(baseline: float | None, note: str) -> None:
    p = Panel("p95", "q", unit="seconds", warn_ratio=1.5, crit_ratio=3, crit_abs=2.0)
    r = compare(1.0, baseline, p)
    assert r.ratio is None and r.deviation_pct is None
    assert r.verdict == "OK" and r.note == note
    assert compare(2.5, baseline, p).verdict == "CRIT"


def test_baseline_zero_and_current_zero_is_unchanged() -> None:
    r = compare(0.0, 0.0, LATENCY)
    assert (r.ratio, r.deviation_pct, r.verdict, r.note) == (1.0, 0.0, "OK", "")


def test_baseline_zero_is_at_most_warn_from_the_ratio() -> None:
    errors = Panel("Errors", "q", unit="ratio", warn_ratio=2, crit_ratio=5)
    r = compare(0.001, 0.0, errors)
    assert r.ratio == INF and r.verdict == "WARN"
    assert r.note == "baseline is 0"
    assert r.reasons == ("∞x baseline ≥ crit 5.0x (baseline 0: at most WARN)",)
    with_abs = Panel("Errors", "q", unit="ratio", warn_ratio=2, crit_ratio=5, crit_abs=0.05)
    assert compare(0.2, 0.0, with_abs).verdict == "CRIT"
    # lower is bad: something out of nothing is fine
    assert compare(5.0, 0.0, TRAFFIC).verdict == "OK"


def test_notes_are_joined_without_duplicates() -> None:
    r = compare(1.0, None, LATENCY, notes=["sum of 3 series", "", "sum of 3 series"])
    assert r.note == "sum of 3 series; no baseline data"


def test_worst() -> None:
    assert worst(["OK", "CRIT", "WARN"]) == "CRIT"
    assert worst(["NO DATA", "WARN"]) == "WARN"
    assert worst(["NO DATA"]) == "NO DATA"
    assert worst([]) == "NO DATA"


def test_describe_for_the_timeline() -> None:
    assert describe(compare(2.3, 0.15, LATENCY)) == "p95 latency 2.3 s (baseline 150 ms, 15x)"
    fixed = Panel("Traffic", "q", unit="req/s", baseline=8100, direction="lower_is_bad")
    assert describe(compare(4000, 8100, fixed)) == "Traffic 4.0k req/s (baseline fixed 8.1k req/s, 0.49x)"
    assert describe(compare(None, 1, LATENCY)) == "p95 latency no data"
    assert describe(compare(1.0, None, LATENCY)) == "p95 latency 1.0 s (no baseline)"
    assert fixed.baseline_text() == "fixed 8.1k req/s" and LATENCY.baseline_text() == "offset 1d"


# -- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize("value, unit, text", [
    (2.3, "seconds", "2.3 s"),
    (0.15, "seconds", "150 ms"),
    (0.0123, "s", "12.3 ms"),
    (0.0005, "seconds", "500 µs"),
    (0.9996, "seconds", "1.0 s"),  # not "1000 ms"
    (90, "seconds", "1.5 min"),
    (7200, "seconds", "2.0 h"),
    (0, "seconds", "0 s"),
    (150, "ms", "150 ms"),
    (2300, "milliseconds", "2.3 s"),
    (0.15, "ratio", "15.0 %"),
    (0.0001, "ratio", "0.01 %"),
    (1.0, "ratio", "100 %"),
    (15, "percent", "15.0 %"),
    (15, "%", "15.0 %"),
    (8100, "req/s", "8.1k req/s"),
    (150, "req/s", "150 req/s"),
    (0.05, "req/s", "0.05 req/s"),
    (999.7, "req/s", "1.0k req/s"),  # not "1000 req/s"
    (1_234_567, "req/s", "1.2M req/s"),
    (-8100, "msg/s", "-8.1k msg/s"),
    (1.2 * 1024**3, "bytes", "1.2 GiB"),
    (512, "bytes", "512 B"),
    (3 * 1024**2, "bytes/s", "3.0 MiB/s"),
    (8100, "", "8.1k"),
    (42, "widgets", "42.0 widgets"),  # an unknown unit is printed, not refused, when formatting
    (None, "seconds", "no data"),
    (NAN, "ratio", "NaN"),
    (INF, "seconds", "+Inf"),
    (-INF, "req/s", "-Inf"),
])
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize("ratio, text", [(15.0, "15x"), (14.999999999999998, "15x"), (1.5, "1.5x"),
                                         (0.606, "0.61x"), (INF, "∞x"), (None, "n/a"), (NAN, "n/a")])
def test_format_ratio(ratio: float | None, text: str) -> None:
    assert format_ratio(ratio) == text


@pytest.mark.parametrize("pct, text", [(1400.0, "+1400 %"), (-39.4, "-39.4 %"), (2.5, "+2.5 %"), (0.0, "+0 %"),
                                       (INF, "+∞ %"), (None, "n/a")])
def test_format_deviation(pct: float | None, text: str) -> None:
    assert format_deviation(pct) == text


def test_series_shift_and_constant() -> None:
    s = Series(((T0, 1.0),), 1)
    assert s.shifted(timedelta(days=1)).points == ((T0 + timedelta(days=1), 1.0),)
    c = constant_series(0.5, T0, T0 + timedelta(minutes=2), timedelta(minutes=1))
    assert c.points == ((T0, 0.5), (T0 + timedelta(minutes=1), 0.5), (T0 + timedelta(minutes=2), 0.5))
    assert c.values == [0.5, 0.5, 0.5]


def test_reading_is_a_value() -> None:
    a, b = compare(2.3, 0.15, LATENCY), compare(2.3, 0.15, LATENCY)
    assert a == b and isinstance(a, Reading)

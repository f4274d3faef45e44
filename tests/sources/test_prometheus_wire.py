"""Prometheus's JSON decoded: instant and range results reduced for a panel, alerts read."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from warroom.domain.baseline import Alert, Series, earliest_firing
from warroom.sources.prometheus_wire import ResultError, label_text, parse_alerts, reduce_matrix, reduce_vector

UTC = timezone.utc
INF = math.inf


def vec(*values: float | str, labels: list[dict[str, str]] | None = None) -> list[dict]:
    labels = labels or [{"__name__": "m", "i": str(i)} for i in range(len(values))]
    return [{"metric": m, "value": [1795430340.0, v if isinstance(v, str) else repr(v)]}
            for m, v in zip(labels, values)]


# -- reducing query results -------------------------------------------------------------------


def test_reduce_empty_vector_is_no_data() -> None:
    r = reduce_vector([])
    assert (r.value, r.series, r.note) == (None, 0, "no data")


def test_reduce_single_series() -> None:
    r = reduce_vector(vec(0.15))
    assert (r.value, r.series, r.note, r.top) == (0.15, 1, "", ())


def test_reduce_sums_several_series_and_says_so() -> None:
    r = reduce_vector(vec(*[float(i) for i in range(12)]))
    assert r.value == sum(range(12)) and r.series == 12
    assert r.note == "sum of 12 series"
    assert [v for _, v in r.top] == [11.0, 10.0, 9.0]
    assert r.top[0][0] == 'm{i="11"}'


def test_reduce_prometheus_special_values() -> None:
    assert math.isnan(reduce_vector(vec("NaN")).value)  # type: ignore[arg-type]
    assert reduce_vector(vec("+Inf")).value == INF
    assert reduce_vector(vec("-Inf")).value == -INF
    assert reduce_vector(vec("+Inf", "1")).value == INF


def test_reduce_leaves_nan_series_out_of_a_sum() -> None:
    r = reduce_vector(vec(1.0, "NaN", 2.0, "NaN"))
    assert r.value == 3.0
    assert r.note == "sum of 4 series; 2 NaN series left out"
    all_nan = reduce_vector(vec("NaN", "NaN"))
    assert math.isnan(all_nan.value) and all_nan.note == "sum of 2 series"  # type: ignore[arg-type]


def test_reduce_scalar_and_refusals() -> None:
    assert reduce_vector([1795430340.0, "2.5"]).value == 2.5
    with pytest.raises(ResultError, match="string"):
        reduce_vector([1795430340.0, "hello"])
    with pytest.raises(ResultError, match="range vector"):
        reduce_vector([{"metric": {}, "values": [[1, "1"], [2, "2"]]}])
    with pytest.raises(ResultError, match="malformed sample"):
        reduce_vector([{"metric": {}, "value": [1]}])
    with pytest.raises(ResultError):
        reduce_vector({"result": []})


def test_huge_label_sets_stay_short() -> None:
    metric = {"__name__": "http_requests_total", **{f"label_{i:03d}": "v" * 500 for i in range(300)}}
    text = label_text(metric)
    assert len(text) < 120
    assert text.startswith('http_requests_total{label_000="vvvvvvvvvvvvvvvvvvvvvvv…"')
    assert text.endswith("…+299}") or "…+" in text
    many = [{"metric": {**metric, "id": str(i)}, "value": [0, "1"]} for i in range(2000)]
    r = reduce_vector(many)
    assert r.value == 2000 and r.note == "sum of 2000 series" and len(r.top) == 3
    assert all(len(label) < 120 for label, _ in r.top)


def test_label_text() -> None:
    assert label_text({"__name__": "up", "job": "api"}) == 'up{job="api"}'
    assert label_text({"__name__": "up"}) == "up"
    assert label_text({}) == "{}"
    assert label_text({"code": "500"}) == '{code="500"}'


def test_reduce_matrix_sums_per_step() -> None:
    result = [
        {"metric": {"code": "200"}, "values": [[100, "1"], [160, "2"], [220, "NaN"]]},
        {"metric": {"code": "500"}, "values": [[160, "10"], [220, "NaN"]]},
    ]
    s = reduce_matrix(result)
    assert [(t.timestamp(), v) for t, v in s.points[:2]] == [(100, 1.0), (160, 12.0)]
    assert math.isnan(s.points[2][1])
    assert s.series == 2 and s.note == "sum of 2 series"
    assert reduce_matrix([]) == Series((), 0, "no data")
    with pytest.raises(ResultError):
        reduce_matrix([{"metric": {}, "value": [1, "1"]}])


# -- alerts -----------------------------------------------------------------------------------

ALERTS = {"alerts": [
    {"labels": {"alertname": "Slow", "severity": "warning"}, "annotations": {}, "state": "pending",
     "activeAt": "2026-11-23T09:50:00Z", "value": "2.4e+00"},
    {"labels": {"alertname": "Errors", "severity": "critical", "job": "api"},
     "annotations": {"summary": "5xx at 15%"}, "state": "firing",
     "activeAt": "2026-11-23T09:58:12.123456789Z", "value": "1.5e-01"},
    {"labels": {"alertname": "Older"}, "annotations": {"description": "d"}, "state": "firing",
     "activeAt": "2026-11-23T09:40:00+00:00", "value": "1"},
]}


def test_parse_alerts() -> None:
    alerts = parse_alerts(ALERTS)
    assert [a.name for a in alerts] == ["Older", "Errors", "Slow"]  # firing first, oldest first
    errors = alerts[1]
    assert errors == Alert(
        "Errors", "firing", "critical", datetime(2026, 11, 23, 9, 58, 12, 123456, tzinfo=UTC), 0.15,
        "5xx at 15%", (("alertname", "Errors"), ("job", "api"), ("severity", "critical")),
    )
    assert alerts[0].severity == "" and alerts[0].summary == "d"
    assert not alerts[2].firing
    assert earliest_firing(alerts) == datetime(2026, 11, 23, 9, 40, tzinfo=UTC)
    assert earliest_firing(alerts[2:]) is None
    assert parse_alerts({"alerts": []}) == []


def test_parse_alerts_tolerates_odd_fields_and_refuses_garbage() -> None:
    [a] = parse_alerts({"alerts": [{"labels": {"alertname": "X"}, "state": "firing",
                                    "activeAt": "0001-01-01T00:00:00Z", "value": "oops"}]})
    assert a.active_at is None and a.value is None
    with pytest.raises(ResultError):
        parse_alerts({"alerts": "no"})
    with pytest.raises(ResultError):
        parse_alerts({"alerts": [{"state": "firing"}]})

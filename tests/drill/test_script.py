"""A scenario at an instant: metric ramps, noise, alerts, probes, and a cluster kubectl would recognise."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from warroom.domain.pod_status import pod_row
from warroom.domain.rollouts import rollouts
from warroom.domain.warning_events import warning_events
from warroom.domain.workloads import workload_summary
from warroom.drill import cluster, script
from warroom.drill.library import load
from warroom.drill.scenario import parse_scenario

from fixtures.support import T0

S = timedelta(seconds=1)
M = timedelta(minutes=1)

SCENARIO = parse_scenario("""\
title = "t"
[[panels]]
title = "errors"
unit = "ratio"
normal = 0.01
noise = 0.0
[[panels]]
title = "fixed"
normal = 5
baseline = 4
[[probes]]
name = "api"
[[workloads]]
name = "web"
namespace = "shop"
replicas = 3
image = "web:1"
[[events]]
at = "-2m"
do = "metric"
panel = "errors"
to = 0.05
[[events]]
at = "1m"
do = "metric"
panel = "errors"
to = 0.25
over = "2m"
[[events]]
at = "1m"
do = "alert"
name = "HighErrors"
severity = "critical"
summary = "errors high"
[[events]]
at = "2m"
do = "probe"
name = "api"
ok = false
[[events]]
at = "2m"
do = "rollout"
workload = "web"
image = "web:2"
[[events]]
at = "2m30s"
do = "pods"
workload = "web"
status = "CrashLoopBackOff"
count = 2
[[events]]
at = "3m"
do = "scale"
workload = "web"
replicas = 4
[mitigation]
description = "roll back"
match = ["roll back"]
[[mitigation.events]]
after = "1m"
do = "metric"
panel = "errors"
to = 0.01
[[mitigation.events]]
after = "1m"
do = "resolve"
name = "HighErrors"
""")


def drill(mitigated=None) -> script.Drill:
    return script.Drill(SCENARIO, T0, mitigated)


def errors():
    return SCENARIO.panel("errors")


@pytest.mark.parametrize(("offset", "expected"), [
    (-10 * M, 0.01), (-2 * M, 0.05), (0 * M, 0.05), (M, 0.05), (2 * M, 0.15), (3 * M, 0.25), (30 * M, 0.25)])
def test_a_metric_holds_its_normal_level_then_ramps_linearly(offset, expected):
    assert script.level(drill(), errors(), T0 + offset) == pytest.approx(expected)


def test_the_mitigation_moves_its_events_after_the_moment_it_was_logged():
    d = drill(mitigated=T0 + 10 * M)
    assert script.level(d, errors(), T0 + 10 * M) == pytest.approx(0.25)
    assert script.level(d, errors(), T0 + 11 * M) == pytest.approx(0.01)
    assert [a.name for a in script.alerts(d, T0 + 10 * M)] == ["HighErrors"]
    assert script.alerts(d, T0 + 11 * M) == []
    assert script.alerts(drill(), T0 + 40 * M)[0].active_at == T0 + M  # without it, the alert keeps firing


def test_noise_is_deterministic_bounded_and_differs_from_yesterday():
    values = [script.jitter("p", t) for t in range(0, 3600, 7)]
    assert all(-1 <= v <= 1 for v in values) and max(values) > 0.5 and min(values) < -0.5
    assert values == [script.jitter("p", t) for t in range(0, 3600, 7)]
    assert script.jitter("p", 1000) != script.jitter("q", 1000)


def test_readings_judge_value_against_baseline_and_fixed_baselines_stay_fixed():
    r = script.reading(drill(), errors(), T0 + 3 * M)
    assert (r.current, r.baseline, r.verdict, r.at) == (pytest.approx(0.25), pytest.approx(0.01), "CRIT", T0 + 3 * M)
    fixed = script.reading(drill(), SCENARIO.panel("fixed"), T0)
    assert fixed.baseline == 4 and fixed.panel.baseline_text().startswith("fixed 4")
    spark = script.sparkline(drill(), errors(), T0 - 10 * M, T0 + 3 * M, M)
    assert len(spark.current.points) == 14 and spark.current.values[0] == pytest.approx(0.01)
    assert spark.current.values[-1] == pytest.approx(0.25) and spark.baseline.values == [pytest.approx(0.01)] * 14


def test_probes_go_down_when_scripted():
    assert [(p.name, p.ok, p.status) for p in script.probes(drill(), T0)] == [("api", True, 200)]
    assert [(p.ok, p.status) for p in script.probes(drill(), T0 + 2 * M)] == [(False, 503)]


@pytest.mark.parametrize(("elapsed", "restarts", "last"), [
    (0 * S, 0, 0 * S), (4 * S, 0, 0 * S), (5 * S, 1, 5 * S), (19 * S, 1, 5 * S), (20 * S, 2, 20 * S),
    (45 * S, 3, 45 * S), (10 * M, 6, 340 * S)])
def test_a_crash_loop_follows_the_kubelet_back_off(elapsed, restarts, last):
    assert script.crash_loop(elapsed) == (restarts, last)


def test_the_cluster_rolls_out_crash_loops_and_scales():
    before = script.cluster(drill(), T0 + M)
    assert [(r.revision, r.status) for r in before.workloads[0].replicas] == [(1, "Running")] * 3
    state = script.cluster(drill(), T0 + 4 * M)
    web = state.workloads[0]
    assert [r.number for r in web.revisions] == [1, 2] and web.current.image == "web:2"
    assert [(r.revision, r.status) for r in web.replicas] == [
        (2, "CrashLoopBackOff"), (2, "CrashLoopBackOff"), (2, "Running"), (2, "Running")]


def _client():
    from kubernetes.client import ApiClient

    return ApiClient()


MODEL = {"pods": "V1Pod", "deployments": "V1Deployment", "replicasets": "V1ReplicaSet",
         "statefulsets": "V1StatefulSet", "events": "CoreV1Event"}


@pytest.mark.parametrize("name", ["bad-deploy", "db-pool", "payment-processor"])
def test_every_object_deserializes_with_the_official_client(name):
    scenario, _ = load(name)
    client = _client()
    for minutes in (0, 5, 12, 30):
        now = T0 + timedelta(minutes=minutes)
        objs = cluster.objects(script.cluster(script.Drill(scenario, T0), now), now)
        for plural, items in objs.items():
            for obj in items:
                model = client._ApiClient__deserialize(obj, MODEL[plural])
                assert model.metadata.name == obj["metadata"]["name"]


def _rows(state_drill, now):
    objs = cluster.objects(script.cluster(state_drill, now), now)
    return objs, {r.name: r for r in (pod_row(p) for p in objs["pods"])}


def test_pod_rows_read_like_kubectl():
    pods_scenario = replace(SCENARIO, events=tuple(
        e for e in SCENARIO.events if e.do not in ("pods", "scale")) + tuple(
        replace(SCENARIO.events[-2], status=s, count=1, at=(3 + i) * M, line=100 + i)
        for i, s in enumerate(["ImagePullBackOff", "Pending", "OOMKilled", "NotReady", "CrashLoopBackOff"])))
    now = T0 + 10 * M
    objs, rows = _rows(script.Drill(pods_scenario, T0), now)
    statuses = sorted((r.status, r.ready) for r in rows.values())
    # the last event wins for replica 0: CrashLoopBackOff since +7m (3 min: 5 crashes), the others run rev 2
    assert statuses == [("CrashLoopBackOff", "0/1"), ("Running", "1/1"), ("Running", "1/1")]
    crashing = next(r for r in rows.values() if r.status == "CrashLoopBackOff")
    assert crashing.restarts == 5 and crashing.restarts_text_at(now).startswith("5 (") and crashing.node
    summary = workload_summary(list(rows.values()), objs["deployments"])
    assert [(w.name, w.ready, w.desired) for w in summary.workloads] == [("web", 2, 3)]
    changes = rollouts(objs["deployments"], objs["replicasets"], now, timedelta(hours=6))
    assert [(r.revision, r.images_text) for r in changes] == [(2, "web:1 → web:2")]
    assert [e.reason for e in warning_events(objs["events"], now, timedelta(hours=1))] == ["BackOff"]


@pytest.mark.parametrize(("status", "expected"), [
    ("ImagePullBackOff", ("ImagePullBackOff", "0/1")), ("ErrImagePull", ("ErrImagePull", "0/1")),
    ("Pending", ("Pending", "0/1")), ("OOMKilled", ("OOMKilled", "0/1")), ("Error", ("Error", "0/1")),
    ("NotReady", ("Running", "0/1")), ("CrashLoopBackOff", ("CrashLoopBackOff", "0/1")),
    ("Running", ("Running", "1/1"))])
def test_each_scripted_status_is_what_kubectl_prints(status, expected):
    one = replace(SCENARIO, events=(replace(SCENARIO.events[-2], status=status, count=1, at=M),))
    _, rows = _rows(script.Drill(one, T0), T0 + 5 * M)
    first = sorted(rows.values(), key=lambda r: (r.healthy, r.name))[0]
    assert (first.status, first.ready) == expected
    assert first.healthy == (status == "Running")

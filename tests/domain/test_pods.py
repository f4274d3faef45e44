"""The pod-health core: kubectl's STATUS/READY/RESTARTS, owners, workloads, rollouts, warnings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from kubernetes.client import ApiClient
from fixtures.podfixtures import (
    APP_IMAGE,
    INIT_IMAGE,
    NODE,
    NOW,
    SIDECAR_IMAGE,
    ago,
    cond,
    daemonset,
    daemonset_pod,
    deployment,
    deployment_pod,
    event,
    job_pod,
    last_terminated,
    micro_ts,
    pod,
    replicaset,
    running,
    statefulset,
    statefulset_pod,
    terminated,
    ts,
    uid,
    waiting,
)

from fixtures import podfixtures as pf
from warroom.domain.pod_index import EMPTY_INDEX, index_pods, update_index
from warroom.domain.pod_owner import Owner, pod_owner
from warroom.domain.pod_status import PodRow, parse_time, pod_row, sort_rows
from warroom.domain.rollouts import rollouts
from warroom.domain.warning_events import warning_events
from warroom.domain.workloads import NamespaceHealth, workload_kind, workload_summary

UTC = timezone.utc
SHORTLY = ago(seconds=20)  # a deletionTimestamp: graceful deletion under way


def _ready_conditions(ready: bool) -> list[dict]:
    """Conditions of a started pod whose Ready condition is forced (the Completed+running rule)."""
    created = ago(days=2, hours=3)
    return [
        cond("PodReadyToStartContainers", True, at=created),
        cond("Initialized", True, at=created),
        cond("Ready", ready, reason=None if ready else "ContainersNotReady",
             message=None if ready else "containers with unready status: [warmup]"),
        cond("ContainersReady", ready, reason=None if ready else "ContainersNotReady",
             message=None if ready else "containers with unready status: [warmup]"),
        cond("PodScheduled", True, at=created),
    ]


# (pod, READY, STATUS, RESTARTS) as `kubectl get pods` prints them at NOW.
CASES = [
    # --- running pods
    pytest.param(deployment_pod(statuses=[running()]), "1/1", "Running", "0", id="running"),
    pytest.param(
        deployment_pod(
            statuses=[
                running(restarts=2, last=last_terminated(ago(hours=1), reason="Error")),
                running("log-shipper", SIDECAR_IMAGE, restarts=3,
                        last=last_terminated(ago(minutes=3), reason="OOMKilled", exit_code=137)),
            ]
        ),
        "2/2", "Running", "5 (3m ago)", id="restarts-summed-latest-finish",
    ),
    pytest.param(
        deployment_pod(statuses=[running(ready=False)]), "0/1", "Running", "0",
        id="running-not-ready-is-still-running",
    ),
    pytest.param(
        deployment_pod(statuses=[running(restarts=3)]), "1/1", "Running", "3",
        id="restarts-without-last-state-have-no-age",
    ),
    # --- waiting reasons
    pytest.param(
        deployment_pod(
            statuses=[
                waiting("CrashLoopBackOff", restarts=7,
                        message="back-off 5m0s restarting failed container=app pod=web-7d4b9c6f5-x2x9k_shop",
                        last=last_terminated(ago(seconds=45), exit_code=1))
            ]
        ),
        "0/1", "CrashLoopBackOff", "7 (45s ago)", id="crashloop",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            statuses=[waiting("ImagePullBackOff", image="ghcr.io/acme/shop-web:2.15.0",
                              message='Back-off pulling image "ghcr.io/acme/shop-web:2.15.0"')],
        ),
        "0/1", "ImagePullBackOff", "0", id="image-pull-backoff",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            statuses=[waiting("ErrImagePull", image="ghcr.io/acme/shop-web:2.15.0",
                              message='rpc error: code = NotFound desc = failed to pull and unpack image '
                                      '"ghcr.io/acme/shop-web:2.15.0": not found')],
        ),
        "0/1", "ErrImagePull", "0", id="err-image-pull",
    ),
    pytest.param(
        deployment_pod(phase="Pending", statuses=[waiting("ContainerCreating")]),
        "0/1", "ContainerCreating", "0", id="container-creating",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            statuses=[waiting("CreateContainerConfigError", message='secret "shop-db" not found')],
        ),
        "0/1", "CreateContainerConfigError", "0", id="create-container-config-error",
    ),
    pytest.param(
        deployment_pod(
            statuses=[
                running(),
                waiting("CrashLoopBackOff", "worker", APP_IMAGE, restarts=12,
                        last=last_terminated(ago(minutes=4), exit_code=2)),
            ]
        ),
        "1/2", "CrashLoopBackOff", "12 (4m ago)", id="one-of-two-crashlooping",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            statuses=[
                waiting("CrashLoopBackOff", restarts=3, last=last_terminated(ago(minutes=2))),
                waiting("ImagePullBackOff", "log-shipper", SIDECAR_IMAGE),
            ]
        ),
        "0/2", "CrashLoopBackOff", "3 (2m ago)", id="first-container-reason-wins",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            statuses=[
                waiting("ImagePullBackOff", "log-shipper", SIDECAR_IMAGE),
                waiting("CrashLoopBackOff", restarts=3, last=last_terminated(ago(minutes=2))),
            ]
        ),
        "0/2", "ImagePullBackOff", "3 (2m ago)", id="first-container-reason-wins-reversed",
    ),
    # --- terminated reasons
    pytest.param(
        deployment_pod(
            statuses=[
                terminated("OOMKilled", exit_code=137, finished_at=ago(seconds=10), restarts=2,
                           last=last_terminated(ago(minutes=12), reason="OOMKilled", exit_code=137))
            ]
        ),
        "0/1", "OOMKilled", "2 (12m ago)", id="oomkilled-age-from-last-state-only",
    ),
    pytest.param(
        job_pod(phase="Failed", statuses=[terminated("Error", exit_code=1)]),
        "0/1", "Error", "0", id="job-error",
    ),
    pytest.param(
        job_pod(phase="Succeeded", statuses=[terminated("Completed", exit_code=0)]),
        "0/1", "Completed", "0", id="job-completed",
    ),
    pytest.param(
        job_pod(phase="Failed", statuses=[terminated(None, exit_code=3)]),
        "0/1", "ExitCode:3", "0", id="exit-code-without-reason",
    ),
    pytest.param(
        job_pod(phase="Failed", statuses=[terminated(None, exit_code=137, signal=9)]),
        "0/1", "Signal:9", "0", id="signal-without-reason",
    ),
    pytest.param(
        deployment_pod(
            restart_policy="OnFailure",
            statuses=[running(), terminated("Completed", "warmup", INIT_IMAGE)],
            conditions=_ready_conditions(True),
        ),
        "1/2", "Running", "0", id="completed-and-running-pod-ready",
    ),
    pytest.param(
        deployment_pod(
            restart_policy="OnFailure",
            statuses=[running(), terminated("Completed", "warmup", INIT_IMAGE)],
            conditions=_ready_conditions(False),
        ),
        "1/2", "NotReady", "0", id="completed-and-running-pod-not-ready",
    ),
    # --- init containers
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[waiting("PodInitializing", "wait-for-db", INIT_IMAGE),
                           waiting("PodInitializing", "migrate", INIT_IMAGE)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:0/2", "0", id="init-0-of-2-pod-initializing",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[running("wait-for-db", INIT_IMAGE, ready=False),
                           waiting("PodInitializing", "migrate", INIT_IMAGE)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:0/2", "0", id="init-0-of-2-running",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[terminated("Completed", "wait-for-db", INIT_IMAGE),
                           running("migrate", INIT_IMAGE, ready=False)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:1/2", "0", id="init-1-of-2",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[waiting("CrashLoopBackOff", "migrate", INIT_IMAGE, restarts=4,
                                   last=last_terminated(ago(minutes=1), exit_code=1))],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:CrashLoopBackOff", "4 (60s ago)", id="init-crashloop",
    ),
    pytest.param(
        job_pod(
            phase="Failed",
            init_statuses=[terminated("Error", "migrate", INIT_IMAGE, exit_code=1)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:Error", "0", id="init-error",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[terminated(None, "migrate", INIT_IMAGE, exit_code=2)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:ExitCode:2", "0", id="init-exit-code",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            init_statuses=[terminated(None, "migrate", INIT_IMAGE, exit_code=143, signal=15)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/1", "Init:Signal:15", "0", id="init-signal",
    ),
    pytest.param(
        deployment_pod(
            init_statuses=[terminated("Completed", "wait-for-db", INIT_IMAGE, restarts=2,
                                      last=last_terminated(ago(minutes=2)))],
            statuses=[running(restarts=1, last=last_terminated(ago(hours=1)))],
        ),
        "1/1", "Running", "1 (60m ago)", id="finished-init-restarts-not-counted",
    ),
    # --- restartable init containers (sidecars)
    pytest.param(
        deployment_pod(
            sidecars=["log-shipper"],
            init_statuses=[running("log-shipper", SIDECAR_IMAGE, restarts=1,
                                   last=last_terminated(ago(minutes=20), exit_code=1))],
            statuses=[running()],
        ),
        "2/2", "Running", "1 (20m ago)", id="sidecar-running",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            sidecars=["log-shipper"],
            init_statuses=[running("log-shipper", SIDECAR_IMAGE)],
            statuses=[waiting("ContainerCreating")],
        ),
        "1/2", "ContainerCreating", "0", id="sidecar-started-app-creating",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending",
            sidecars=["log-shipper"],
            init_statuses=[running("log-shipper", SIDECAR_IMAGE, started=False, ready=False)],
            statuses=[waiting("PodInitializing")],
        ),
        "0/2", "Init:0/1", "0", id="sidecar-not-started",
    ),
    # --- pod-level reasons, deletion, scheduling
    pytest.param(
        deployment_pod(
            phase="Failed", reason="Evicted",
            message="The node was low on resource: memory. Threshold quantity: 100Mi, available: 92340Ki.",
        ),
        "0/1", "Evicted", "0", id="evicted",
    ),
    pytest.param(
        deployment_pod(
            phase="Failed", reason="Evicted",
            message="The node was low on resource: ephemeral-storage.",
            statuses=[terminated("ContainerStatusUnknown", exit_code=137,
                                 message="The container could not be located when the pod was terminated")],
        ),
        "0/1", "ContainerStatusUnknown", "0", id="evicted-container-reason-wins",
    ),
    pytest.param(
        deployment_pod(statuses=[running()], deletion=SHORTLY), "1/1", "Terminating", "0", id="terminating",
    ),
    pytest.param(
        deployment_pod(
            statuses=[waiting("CrashLoopBackOff", restarts=7, last=last_terminated(ago(minutes=3)))],
            deletion=SHORTLY,
        ),
        "0/1", "Terminating", "7 (3m ago)", id="terminating-overrides-crashloop",
    ),
    pytest.param(
        deployment_pod(
            statuses=[running()], deletion=SHORTLY, reason="NodeLost",
            message=f"Node {NODE} which was running pod web-7d4b9c6f5-x2x9k is unresponsive",
        ),
        "1/1", "Unknown", "0", id="node-lost",
    ),
    pytest.param(
        job_pod(phase="Succeeded", statuses=[terminated("Completed")], deletion=SHORTLY),
        "0/1", "Completed", "0", id="terminal-pod-being-deleted-not-terminating",
    ),
    pytest.param(
        job_pod(phase="Failed", statuses=[terminated("Error", exit_code=1)], deletion=SHORTLY),
        "0/1", "Error", "0", id="failed-pod-being-deleted-not-terminating",
    ),
    pytest.param(
        deployment_pod(
            phase="Pending", scheduled=False, scheduling_gates=["example.com/capacity"],
            conditions=[cond("PodScheduled", False, reason="SchedulingGated",
                             message="Scheduling is blocked due to non-empty scheduling gates")],
        ),
        "0/1", "SchedulingGated", "0", id="scheduling-gated",
    ),
    pytest.param(
        deployment_pod(phase="Pending", scheduled=False), "0/1", "Pending", "0", id="pending-unschedulable",
    ),
]


@pytest.mark.parametrize(("obj", "ready", "status", "restarts"), CASES)
def test_kubectl_columns(obj: dict, ready: str, status: str, restarts: str) -> None:
    row = pod_row(obj)
    assert (row.ready, row.status, row.restarts_text_at(NOW)) == (ready, status, restarts)


@pytest.mark.parametrize(("obj", "ready", "status", "restarts"), CASES)
def test_official_client_accepts_the_fixture_and_its_round_trip(obj, ready, status, restarts) -> None:
    """The fixture is a valid V1Pod; re-serialized by the client (``+00:00``, nulls dropped) it reads the same."""
    client = ApiClient()
    model = client._ApiClient__deserialize(obj, "V1Pod")
    assert model.metadata.uid == obj["metadata"]["uid"]
    assert model.status.phase == obj["status"]["phase"]
    sanitized = client.sanitize_for_serialization(model)
    assert "+00:00" in sanitized["metadata"]["creationTimestamp"]
    assert pod_row(sanitized) == pod_row(obj)


@pytest.mark.parametrize(
    ("obj", "kind"),
    [
        (deployment(), "V1Deployment"),
        (replicaset(), "V1ReplicaSet"),
        (statefulset(), "V1StatefulSet"),
        (daemonset(), "V1DaemonSet"),
        (event("BackOff", "Back-off restarting failed container app"), "CoreV1Event"),
        (event("FailedScheduling", "0/3 nodes are available", series=(4, micro_ts(NOW))), "CoreV1Event"),
    ],
    ids=["deployment", "replicaset", "statefulset", "daemonset", "event", "event-series"],
)
def test_official_client_accepts_the_other_fixtures(obj: dict, kind: str) -> None:
    model = ApiClient()._ApiClient__deserialize(obj, kind)
    assert model.metadata.name == obj["metadata"]["name"]


def test_the_table_covers_enough_pods() -> None:
    assert len(CASES) >= 24
    assert len({p.values[2] for p in CASES}) >= 24  # distinct STATUS values


# --------------------------------------------------------------------------- durations


def test_parse_time_reads_api_forms_and_refuses_naive() -> None:
    at = datetime(2026, 11, 23, 10, 27, tzinfo=UTC)
    assert parse_time("2026-11-23T10:27:00Z") == at
    assert parse_time("2026-11-23T10:27:00+00:00") == at
    assert parse_time("2026-11-23T10:27:00.000000Z") == at
    assert parse_time(at) == at
    assert parse_time(None) is None
    with pytest.raises(ValueError):
        parse_time("2026-11-23T10:27:00")
    with pytest.raises(ValueError):
        parse_time(datetime(2026, 11, 23, 10, 27))


# --------------------------------------------------------------------------- rows


def test_pod_row_fields() -> None:
    obj = deployment_pod(
        statuses=[running(restarts=5, last=last_terminated(ago(minutes=3)))],
        created=ago(days=2, hours=3),
    )
    row = pod_row(obj)
    assert row == PodRow(
        namespace="shop",
        name="web-7d4b9c6f5-x2x9k",
        ready="1/1",
        status="Running",
        restarts=5,
        last_restart=NOW - timedelta(minutes=3),
        created=NOW - timedelta(days=2, hours=3),
        node=NODE,
        owner=Owner("Deployment", "web"),
        healthy=True,
        uid=uid("shop", "Pod", "web-7d4b9c6f5-x2x9k"),
        ready_containers=1,
        total_containers=1,
        phase="Running",
    )
    assert row.restarts_text_at(NOW) == "5 (3m ago)"
    assert row.age_text_at(NOW) == "2d3h"
    later = NOW + timedelta(minutes=10)  # a row holds instants: its texts follow the clock
    assert (row.restarts_text_at(later), row.age_text_at(later)) == ("5 (13m ago)", "2d3h")
    assert row.age_at(later) == timedelta(days=2, hours=3, minutes=10)
    assert row.key == ("shop", "web-7d4b9c6f5-x2x9k")


def test_unscheduled_pod_has_no_node() -> None:
    assert pod_row(deployment_pod(phase="Pending", scheduled=False)).node == ""


def test_text_is_left_as_is() -> None:
    """Names and messages are data: brackets are not markup and nothing is escaped here."""
    obj = pod("weird-[bold]name[/]", statuses=[waiting("[red]Boom[/]")])
    row = pod_row(obj)
    assert row.name == "weird-[bold]name[/]"
    assert row.status == "[red]Boom[/]"
    ev = event("BackOff", "  [b]not markup[/b] & <tag>  ", last=ago(minutes=1))
    (w,) = warning_events([ev], NOW, timedelta(hours=1))
    assert w.message == "[b]not markup[/b] & <tag>"


@pytest.mark.parametrize(
    ("obj", "owner"),
    [
        (deployment_pod(), Owner("Deployment", "web")),
        (deployment_pod("checkout-api", "5f6c8d9b7"), Owner("Deployment", "checkout-api")),
        (deployment_pod("checkout-api", "5f6c8d9b7", label_hash=False), Owner("Deployment", "checkout-api")),
        (
            pod("legacy-rs-abcde", owner=("ReplicaSet", "legacy-rs"), labels={"app": "legacy"}),
            Owner("ReplicaSet", "legacy-rs"),
        ),
        (
            # the label wins over guessing: a hash-looking segment that is not the hash stays
            deployment_pod("web", "7d4b9c6f5", labels={"pod-template-hash": "6c5b4d8f9"}),
            Owner("ReplicaSet", "web-7d4b9c6f5"),
        ),
        (statefulset_pod(), Owner("StatefulSet", "db")),
        (daemonset_pod(), Owner("DaemonSet", "node-exporter")),
        (job_pod(), Owner("Job", "db-migrate-29401230")),
        (pod("debug-shell", statuses=[running()]), None),
    ],
    ids=["deployment", "deployment-2", "no-hash-label", "bare-replicaset", "label-wins", "statefulset",
         "daemonset", "job", "bare-pod"],
)
def test_owner(obj: dict, owner: Owner | None) -> None:
    assert pod_owner(obj) == owner


def test_only_the_controller_reference_is_the_owner() -> None:
    obj = pod("web-abc", statuses=[running()])
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "web-config", "uid": uid("shop", "ConfigMap", "web-config")},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": uid("shop", "StatefulSet", "web"),
         "controller": True, "blockOwnerDeletion": True},
    ]
    assert pod_owner(obj) == Owner("StatefulSet", "web")
    obj["metadata"]["ownerReferences"] = obj["metadata"]["ownerReferences"][:1]
    assert pod_owner(obj) is None


@pytest.mark.parametrize(
    ("obj", "healthy"),
    [
        (deployment_pod(statuses=[running()]), True),
        (deployment_pod(statuses=[running(), running("log-shipper", SIDECAR_IMAGE, ready=False)]), False),
        (deployment_pod(statuses=[running(ready=False)]), False),
        (job_pod(phase="Succeeded", statuses=[terminated("Completed")]), True),
        (job_pod(phase="Failed", statuses=[terminated("Completed")]), False),
        (deployment_pod(statuses=[waiting("CrashLoopBackOff", restarts=1)]), False),
        (deployment_pod(statuses=[running()], deletion=SHORTLY), False),
        (deployment_pod(phase="Pending", scheduled=False), False),
        (
            deployment_pod(restart_policy="OnFailure", statuses=[running(), terminated("Completed", "warmup")],
                           conditions=_ready_conditions(True)),
            False,
        ),
    ],
    ids=["running-ready", "running-partly-ready", "running-unready", "succeeded", "failed-completed",
         "crashloop", "terminating", "pending", "running-one-completed"],
)
def test_healthy(obj: dict, healthy: bool) -> None:
    assert pod_row(obj).healthy is healthy


def test_sort_rows_puts_unhealthy_first_then_namespace_and_name() -> None:
    rows = [
        pod_row(deployment_pod("web", suffix="aaaaa", statuses=[running()])),
        pod_row(deployment_pod("web", suffix="bbbbb", statuses=[waiting("CrashLoopBackOff")])),
        pod_row(daemonset_pod(statuses=[running()])),
        pod_row(deployment_pod("api", namespace="payments", statuses=[waiting("ErrImagePull")])),
        pod_row(deployment_pod("api", namespace="checkout", statuses=[running(ready=False)])),
    ]
    assert [(r.namespace, r.name) for r in sort_rows(rows)] == [
        ("checkout", "api-7d4b9c6f5-x2x9k"),
        ("payments", "api-7d4b9c6f5-x2x9k"),
        ("shop", "web-7d4b9c6f5-bbbbb"),
        ("monitoring", "node-exporter-q7wz4"),
        ("shop", "web-7d4b9c6f5-aaaaa"),
    ]


# --------------------------------------------------------------------------- workloads


def test_workload_kind_is_inferred_for_list_items() -> None:
    assert workload_kind(deployment(with_kind=False)) == "Deployment"
    assert workload_kind(statefulset(with_kind=False)) == "StatefulSet"
    assert workload_kind(daemonset(with_kind=False)) == "DaemonSet"
    assert workload_kind(daemonset()) == "DaemonSet"


def test_workload_summary() -> None:
    rows = [
        pod_row(deployment_pod("web", suffix="aaaaa", statuses=[running()])),
        pod_row(deployment_pod("web", suffix="bbbbb", statuses=[running()])),
        pod_row(deployment_pod("web", suffix="ccccc", statuses=[waiting("CrashLoopBackOff", restarts=4)])),
        pod_row(statefulset_pod("db", 0, statuses=[running("postgres")])),
        pod_row(daemonset_pod(suffix="q7wz4", statuses=[running("node-exporter")])),
        pod_row(daemonset_pod(suffix="m4n8v", statuses=[running("node-exporter", ready=False)])),
        pod_row(job_pod(phase="Succeeded", statuses=[terminated("Completed")])),
        pod_row(pod("debug-shell", namespace="shop", statuses=[running()])),
    ]
    workloads = [
        deployment("web", replicas=3, ready=2, with_kind=False),
        statefulset("db", replicas=1, ready=1, with_kind=False),
        daemonset("node-exporter", desired=2, ready=1),
        deployment("checkout", replicas=2, ready=0),
    ]
    summary = workload_summary(rows, workloads)
    got = [(w.namespace, w.kind, w.name, w.ready_text, w.pods, w.unhealthy_pods, w.healthy)
           for w in summary.workloads]
    assert got == [
        ("monitoring", "DaemonSet", "node-exporter", "1/2", 2, 1, False),
        ("shop", "Deployment", "checkout", "0/2", 0, 0, False),
        ("shop", "Deployment", "web", "2/3", 3, 1, False),
        ("shop", "Job", "db-migrate-29401230", "0/?", 1, 0, True),
        ("shop", "StatefulSet", "db", "1/1", 1, 0, True),
    ]
    assert summary.namespaces == (
        NamespaceHealth("monitoring", total=2, unhealthy=1),
        NamespaceHealth("shop", total=6, unhealthy=1),
    )


def test_workload_summary_defaults() -> None:
    dep = deployment("web")
    del dep["spec"]["replicas"]  # defaulted to 1 by the API server; absent only in hand-made objects
    dep["status"] = {}
    (w,) = workload_summary([], [dep]).workloads
    assert (w.ready, w.desired, w.healthy) == (0, 1, False)
    assert workload_summary([], []).namespaces == ()


# --------------------------------------------------------------------------- rollouts


def test_rollouts_recent_newest_revision_with_images_before_and_after() -> None:
    deployments = [deployment("web", revision=3), deployment("api", revision=2), deployment("old", revision=5)]
    replicasets = [
        replicaset("web", "5c9d7f8b6", revision=1, image="ghcr.io/acme/shop-web:2.13.0",
                   created=ago(days=30), replicas=0),
        replicaset("web", "6f7b8c9d4", revision=2, image="ghcr.io/acme/shop-web:2.14.0",
                   created=ago(days=7), replicas=0),
        replicaset("web", "7d4b9c6f5", revision=3, image="ghcr.io/acme/shop-web:2.14.1", created=ago(minutes=12)),
        replicaset("api", "8b6c5d4f7", revision=1, image=[("api", "ghcr.io/acme/api:1.0"), ("envoy", "envoy:1.31")],
                   created=ago(days=3), replicas=0),
        replicaset("api", "9c7d6f5b8", revision=2, image=[("api", "ghcr.io/acme/api:1.1"), ("envoy", "envoy:1.31")],
                   created=ago(minutes=40)),
        # revision 10 sorts after 9 numerically, not as text
        replicaset("old", "4b5c6d7f8", revision=9, created=ago(days=2), replicas=0),
        replicaset("old", "5d6f7b8c9", revision=10, created=ago(days=1)),
    ]
    found = rollouts(deployments, replicasets, NOW, timedelta(hours=1))
    assert [(r.deployment, r.revision, r.previous_revision, r.replicaset, r.at, r.age) for r in found] == [
        ("web", 3, 2, "web-7d4b9c6f5", NOW - timedelta(minutes=12), timedelta(minutes=12)),
        ("api", 2, 1, "api-9c7d6f5b8", NOW - timedelta(minutes=40), timedelta(minutes=40)),
    ]
    web, api = found
    assert web.images_before == (("app", "ghcr.io/acme/shop-web:2.14.0"),)
    assert web.images_after == (("app", "ghcr.io/acme/shop-web:2.14.1"),)
    assert web.images_text == "ghcr.io/acme/shop-web:2.14.0 → ghcr.io/acme/shop-web:2.14.1"
    assert api.changes == (("api", "ghcr.io/acme/api:1.0", "ghcr.io/acme/api:1.1"),)
    assert api.images_text == "api: ghcr.io/acme/api:1.0 → ghcr.io/acme/api:1.1"
    # a wider window takes in "old", whose newest revision is 10
    wide = rollouts(deployments, replicasets, NOW, timedelta(days=2))
    assert [(r.deployment, r.revision, r.previous_revision) for r in wide] == [
        ("web", 3, 2), ("api", 2, 1), ("old", 10, 9),
    ]


def test_rollouts_first_revision_and_ownership() -> None:
    new = deployment("search", revision=1, created=ago(minutes=5))
    other_ns = deployment("search", namespace="staging", revision=4)
    replicasets = [
        replicaset("search", "6d8f9b7c5", revision=1, created=ago(minutes=5)),
        # same name, other namespace: not ours
        replicaset("search", "7f9b8c6d4", namespace="staging", revision=4, created=ago(minutes=1)),
        # owned by a deleted-and-recreated "search" (other uid): not ours
        replicaset("search", "8c7d6f5b9", revision=7, created=ago(minutes=2), owner_uid=uid("shop", "gone")),
    ]
    (r,) = rollouts([new], replicasets, NOW, timedelta(minutes=30))
    assert (r.deployment, r.revision, r.previous_revision, r.images_before) == ("search", 1, None, ())
    assert r.images_text == f"∅ → {APP_IMAGE}"
    (s,) = rollouts([other_ns], replicasets, NOW, timedelta(minutes=30))
    assert (s.namespace, s.revision) == ("staging", 4)


def test_rollout_without_image_change() -> None:
    dep = deployment("web", revision=2)
    replicasets = [
        replicaset("web", "5c9d7f8b6", revision=1, created=ago(days=3), replicas=0),
        replicaset("web", "7d4b9c6f5", revision=2, created=ago(minutes=3)),
    ]
    (r,) = rollouts([dep], replicasets, NOW, timedelta(minutes=10))
    assert r.changes == ()
    assert r.images_text == f"{APP_IMAGE} (same image)"
    assert rollouts([dep], replicasets, NOW, timedelta(minutes=2)) == []


# --------------------------------------------------------------------------- events


def test_warning_events_recent_newest_first() -> None:
    events = [
        event("BackOff", "Back-off restarting failed container app in pod web-7d4b9c6f5-x2x9k_shop(…)",
              count=14, first=ago(minutes=25), last=ago(seconds=30), field_path="spec.containers{app}"),
        event("Pulled", 'Container image "ghcr.io/acme/shop-web:2.14.1" already present on machine',
              type_="Normal", last=ago(seconds=10)),
        event("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
              name="api-9c7d6f5b8-f5k2t", count=3, first=ago(minutes=9), last=ago(minutes=8)),
        event("FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.",
              name="web-7d4b9c6f5-p9r7d", component="default-scheduler",
              series=(6, micro_ts(NOW - timedelta(minutes=2)))),
        event("FailedCreate", 'Error creating: pods "web-7d4b9c6f5-" is forbidden: exceeded quota: shop-quota',
              kind="ReplicaSet", name="web-7d4b9c6f5", component="replicaset-controller",
              first=ago(hours=5), last=ago(hours=2)),
        event("FailedMount", 'MountVolume.SetUp failed for volume "config" : configmap "web-config" not found',
              name="web-7d4b9c6f5-z8q4w", count=None, event_time=micro_ts(NOW - timedelta(minutes=4))),
    ]
    found = warning_events(events, NOW, timedelta(minutes=30))
    assert [(w.reason, w.object, w.count, w.age) for w in found] == [
        ("BackOff", "pod/web-7d4b9c6f5-x2x9k", 14, timedelta(seconds=30)),
        ("FailedScheduling", "pod/web-7d4b9c6f5-p9r7d", 6, timedelta(minutes=2)),
        ("FailedMount", "pod/web-7d4b9c6f5-z8q4w", 1, timedelta(minutes=4)),
        ("Unhealthy", "pod/api-9c7d6f5b8-f5k2t", 3, timedelta(minutes=8)),
    ]
    first = found[0]
    assert (first.namespace, first.kind, first.name) == ("shop", "Pod", "web-7d4b9c6f5-x2x9k")
    assert first.last_seen == NOW - timedelta(seconds=30)
    assert first.message.startswith("Back-off restarting failed container app")
    wider = warning_events(events, NOW, timedelta(hours=3))
    assert [w.object for w in wider][-1] == "replicaset/web-7d4b9c6f5"
    assert "Pulled" not in {w.reason for w in wider}


def test_warning_events_from_the_events_k8s_io_api() -> None:
    ev = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "db-0.17f2", "namespace": "shop", "uid": uid("shop", "ev", "db-0"),
                     "creationTimestamp": ago(minutes=6)},
        "eventTime": micro_ts(NOW - timedelta(minutes=6)),
        "series": {"count": 9, "lastObservedTime": micro_ts(NOW - timedelta(minutes=1))},
        "reason": "Unhealthy",
        "note": "Liveness probe failed: connection refused",
        "regarding": {"kind": "Pod", "name": "db-0", "namespace": "shop"},
        "reportingController": "kubelet",
        "reportingInstance": NODE,
        "action": "Probing",
        "type": "Warning",
    }
    (w,) = warning_events([ev], NOW, timedelta(minutes=5))
    assert (w.object, w.count, w.age, w.message) == (
        "pod/db-0", 9, timedelta(minutes=1), "Liveness probe failed: connection refused",
    )


def test_warning_event_window_edge_is_inclusive() -> None:
    ev = event("BackOff", "Back-off", last=ts(NOW - timedelta(minutes=10)))
    assert len(warning_events([ev], NOW, timedelta(minutes=10))) == 1
    assert warning_events([ev], NOW, timedelta(minutes=10) - timedelta(seconds=1)) == []


# --------------------------------------------------------------------------- malformed objects


def _malformed(change) -> dict:
    p = pf.deployment_pod(suffix="bad01", statuses=[pf.running()])
    change(p)
    return p


@pytest.mark.parametrize("change, problem", [
    (lambda p: p["metadata"].update(creationTimestamp="yesterday"),
     "metadata.creationTimestamp is not a timestamp: 'yesterday'"),
    (lambda p: p["metadata"].update(creationTimestamp="2026-11-23T10:00:00"),
     "metadata.creationTimestamp is not a timestamp: '2026-11-23T10:00:00'"),
    (lambda p: p["status"]["containerStatuses"][0].update(lastState={"terminated": {"finishedAt": 17}}),
     "status.containerStatuses[0].lastState.terminated.finishedAt is not a timestamp: 17"),
    (lambda p: p["spec"].update(nodeName=["node-1"]), "spec.nodeName is not text: ['node-1']"),
    (lambda p: p["status"]["containerStatuses"][0].update(state={"waiting": {"reason": 42}}),
     "status reason is not text: 42"),
    (lambda p: p["metadata"].pop("name"), "metadata.name is missing"),
    (lambda p: p["metadata"]["ownerReferences"][0].update(name=None, kind=7),
     "ownerReferences.kind is not text: 7"),
], ids=["bad-time", "naive-time", "finished-not-time", "node-list", "reason-int", "no-name", "owner-int"])
def test_a_malformed_pod_is_one_unreadable_row_saying_why(change, problem) -> None:
    row = pod_row(_malformed(change))
    assert row.problem == problem and row.status == f"Unreadable: {problem}"
    assert not row.healthy and row.ready == "?" and row.created is None
    assert row.age_text_at(NOW) == "<unknown>" and row.restarts_text_at(NOW) == "0"


def test_an_unreadable_row_names_the_pod_as_well_as_it_can() -> None:
    row = pod_row({"metadata": {"name": 123, "namespace": "shop\x1b[2J"}})
    assert (row.namespace, row.name, row.problem) == ("shop\x1b[2J", "123", "metadata.name is not text: 123")
    assert pod_row({"metadata": ["x"]}).status == "Unreadable: metadata is not an object: ['x']"
    assert pod_row("junk").name == "?"


def test_one_bad_pod_costs_one_row_in_the_index_and_the_summary() -> None:
    good = pf.deployment_pod(suffix="ok001", statuses=[pf.running()])
    crash = pf.deployment_pod(suffix="cr001", statuses=[pf.waiting("CrashLoopBackOff", restarts=3)])
    bad = _malformed(lambda p: p["metadata"].update(creationTimestamp="yesterday"))
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in (good, crash, bad)}
    index = index_pods(pods)
    assert [r.status.split(":")[0] for r in index.rows] == ["Unreadable", "CrashLoopBackOff", "Running"]
    assert index.tally.namespaces == {"shop": (3, 2)}
    assert update_index(EMPTY_INDEX, pods, list(pods)).rows == index.rows


def test_malformed_workloads_and_events_are_left_out_not_fatal() -> None:
    fine = pf.replicaset("web", "7d4b9c6f5", revision=2, created=pf.ago(minutes=20))
    bad_rs = pf.replicaset("api", "5c8d7f9b6", revision=3, created="yesterday")
    deps = [pf.deployment("web", revision=2), pf.deployment("api", revision=3),
            {"metadata": {"name": {"no": 1}, "namespace": "shop"}}]
    assert [r.deployment for r in rollouts(deps, [fine, bad_rs], NOW, timedelta(hours=6))] == ["web"]
    good_ev = pf.event("BackOff", "Back-off restarting", name="web-1", last=pf.ago(seconds=30))
    bad_ev = pf.event("BackOff", "Back-off restarting", name="web-2", last="soon")
    assert [e.name for e in warning_events([good_ev, bad_ev], NOW, timedelta(hours=1))] == ["web-1"]
    summary = workload_summary([], [*deps, {"metadata": {"name": 5}, "spec": 3}])
    assert sorted(w.name for w in summary.workloads) == ["api", "web"]

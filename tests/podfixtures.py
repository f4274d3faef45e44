"""Realistic Kubernetes objects, as the API server returns them, with minimal overrides.

Importable as ``podfixtures`` (``tests`` is on ``pythonpath``). Every builder returns a
plain camelCase dict shaped like the JSON of a GET or a watch event: full metadata (uid,
resourceVersion, creationTimestamp, labels, ownerReferences), the defaulted spec fields
and a status the kubelet / controllers would write. All objects deserialize with the
official client (``ApiClient()._ApiClient__deserialize(obj, "V1Pod")``), so they can be
loaded into a Kubernetes API emulator too.

Times are RFC 3339 with second precision (``2026-11-23T10:27:00Z``) relative to ``NOW``;
pass ``now=`` to anchor them elsewhere.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc
NOW = datetime(2026, 11, 23, 10, 30, 0, tzinfo=UTC)

NODE = "ip-10-0-1-23.eu-west-1.compute.internal"
NODE_IP = "10.0.1.23"

APP_IMAGE = "ghcr.io/acme/shop-web:2.14.1"
SIDECAR_IMAGE = "docker.io/fluent/fluent-bit:3.1.9"
INIT_IMAGE = "docker.io/library/busybox:1.36"

Obj = dict[str, Any]


# --------------------------------------------------------------------------- basics


def ts(dt: datetime) -> str:
    """RFC 3339 in UTC with second precision, as metav1.Time serializes."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_ts(dt: datetime) -> str:
    """RFC 3339 with microseconds, as metav1.MicroTime serializes (Event.eventTime)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ago(now: datetime = NOW, **delta: float) -> str:
    return ts(now - timedelta(**delta))


def uid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "k8s://" + "/".join(parts)))


def _hex(*parts: object, n: int = 64) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def _resource_version(*parts: str) -> str:
    return str(int(_hex(*parts, n=8), 16) % 9_000_000 + 1_000_000)


def image_id(image: str) -> str:
    """``docker.io/library/busybox@sha256:…`` for ``busybox:1.36`` (what containerd reports)."""
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: repo.rfind(":")]
    if "/" not in repo:
        repo = "docker.io/library/" + repo
    elif "." not in repo.split("/", 1)[0] and ":" not in repo.split("/", 1)[0]:
        repo = "docker.io/" + repo
    return f"{repo}@sha256:{_hex(image)}"


def cond(
    type_: str,
    status: bool | str,
    *,
    at: str | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> Obj:
    """A pod condition as the kubelet / scheduler writes it."""
    c: Obj = {
        "lastProbeTime": None,
        "lastTransitionTime": at or ago(minutes=10),
        "status": status if isinstance(status, str) else ("True" if status else "False"),
        "type": type_,
    }
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


# --------------------------------------------------------------------------- container states


def last_terminated(
    finished: str,
    *,
    reason: str = "Error",
    exit_code: int = 1,
    started: str | None = None,
    container_id: str | None = None,
) -> Obj:
    """A ``lastState`` with the previous run terminated (what a restart leaves behind)."""
    t: Obj = {
        "containerID": container_id or "containerd://" + _hex("last", finished, reason),
        "exitCode": exit_code,
        "finishedAt": finished,
        "reason": reason,
        "startedAt": started or finished,
    }
    return {"terminated": t}


def _status(
    name: str,
    image: str,
    *,
    state: Obj,
    ready: bool,
    started: bool | None,
    restarts: int,
    last: Obj | None,
    has_container: bool = True,
) -> Obj:
    s: Obj = {
        "image": image,
        "imageID": image_id(image) if has_container else "",
        "lastState": last or {},
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "started": started,
        "state": state,
        "volumeMounts": [
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": "kube-api-access",
                "readOnly": True,
                "recursiveReadOnly": "Disabled",
            }
        ],
    }
    if has_container:
        s["containerID"] = "containerd://" + _hex(name, image, restarts)
    if started is None:
        del s["started"]
    return s


def running(
    name: str = "app",
    image: str = APP_IMAGE,
    *,
    since: str | None = None,
    ready: bool = True,
    started: bool = True,
    restarts: int = 0,
    last: Obj | None = None,
) -> Obj:
    """A running container status (ready unless told otherwise)."""
    return _status(
        name,
        image,
        state={"running": {"startedAt": since or ago(hours=2)}},
        ready=ready,
        started=started,
        restarts=restarts,
        last=last,
    )


def waiting(
    reason: str,
    name: str = "app",
    image: str = APP_IMAGE,
    *,
    message: str | None = None,
    restarts: int = 0,
    last: Obj | None = None,
) -> Obj:
    """A waiting container status: ``CrashLoopBackOff``, ``ImagePullBackOff``…"""
    w: Obj = {"reason": reason}
    if message:
        w["message"] = message
    return _status(
        name,
        image,
        state={"waiting": w},
        ready=False,
        started=False,
        restarts=restarts,
        last=last,
        # a container that never started has no ID and no resolved image
        has_container=restarts > 0 or last is not None,
    )


def terminated(
    reason: str | None,
    name: str = "app",
    image: str = APP_IMAGE,
    *,
    exit_code: int = 0,
    signal: int | None = None,
    started_at: str | None = None,
    finished_at: str | None = None,
    message: str | None = None,
    restarts: int = 0,
    last: Obj | None = None,
) -> Obj:
    """A terminated container status; ``reason=None`` leaves the reason out (as some runtimes do)."""
    t: Obj = {
        "containerID": "containerd://" + _hex("term", name, image, restarts),
        "exitCode": exit_code,
        "finishedAt": finished_at or ago(minutes=5),
        "startedAt": started_at or ago(minutes=6),
    }
    if reason is not None:
        t["reason"] = reason
    if signal is not None:
        t["signal"] = signal
    if message:
        t["message"] = message
    return _status(
        name,
        image,
        state={"terminated": t},
        ready=False,
        started=False,
        restarts=restarts,
        last=last,
    )


# --------------------------------------------------------------------------- pods


_OWNER_API = {
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Deployment": "apps/v1",
    "Job": "batch/v1",
    "Node": "v1",
}


def owner_ref(kind: str, name: str, namespace: str = "shop", *, controller: bool = True) -> Obj:
    ref: Obj = {
        "apiVersion": _OWNER_API.get(kind, "apps/v1"),
        "blockOwnerDeletion": True,
        "controller": controller,
        "kind": kind,
        "name": name,
        "uid": uid(namespace, kind, name),
    }
    return ref


def container_spec(name: str, image: str, **extra: Any) -> Obj:
    spec: Obj = {
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": "kube-api-access",
                "readOnly": True,
            }
        ],
    }
    spec.update(extra)
    return spec


def _default_conditions(
    *,
    phase: str,
    scheduled: bool,
    statuses: Sequence[Obj],
    init_statuses: Sequence[Obj],
    sidecars: Iterable[str],
    created: str,
) -> list[Obj]:
    sidecars = set(sidecars)
    if not scheduled:
        return [
            cond(
                "PodScheduled",
                False,
                at=created,
                reason="Unschedulable",
                message="0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are "
                "available: 3 No preemption victims found for incoming pod.",
            )
        ]
    initialized = all(
        ("terminated" in s["state"] and s["state"]["terminated"].get("exitCode", 0) == 0)
        or (s["name"] in sidecars and s.get("started") is True)
        for s in init_statuses
    )
    pending_init = [
        s["name"]
        for s in init_statuses
        if not (
            ("terminated" in s["state"] and s["state"]["terminated"].get("exitCode", 0) == 0)
            or (s["name"] in sidecars and s.get("started") is True)
        )
    ]
    unready = [s["name"] for s in statuses if not s["ready"]]
    unready += [s["name"] for s in init_statuses if s["name"] in sidecars and not s["ready"]]
    all_ready = initialized and bool(statuses) and not unready
    conditions = [
        cond("PodReadyToStartContainers", phase in ("Pending", "Running") or bool(statuses), at=created),
        cond(
            "Initialized",
            initialized,
            at=created,
            reason=None if initialized else "ContainersNotInitialized",
            message=None if initialized else f"containers with incomplete status: [{' '.join(pending_init)}]",
        ),
    ]
    if phase == "Succeeded":
        conditions += [
            cond("Ready", False, reason="PodCompleted"),
            cond("ContainersReady", False, reason="PodCompleted"),
        ]
    elif all_ready:
        conditions += [cond("Ready", True), cond("ContainersReady", True)]
    else:
        names = unready or [s["name"] for s in statuses] or ["app"]
        msg = f"containers with unready status: [{' '.join(names)}]"
        conditions += [
            cond("Ready", False, reason="ContainersNotReady", message=msg),
            cond("ContainersReady", False, reason="ContainersNotReady", message=msg),
        ]
    conditions.append(cond("PodScheduled", True, at=created))
    return conditions


def pod(
    name: str,
    *,
    namespace: str = "shop",
    owner: tuple[str, str] | None = None,
    labels: dict[str, str] | None = None,
    created: str | None = None,
    statuses: Sequence[Obj] = (),
    init_statuses: Sequence[Obj] = (),
    containers: Sequence[Obj] | None = None,
    init_containers: Sequence[Obj] | None = None,
    sidecars: Iterable[str] = (),
    phase: str = "Running",
    reason: str | None = None,
    message: str | None = None,
    conditions: list[Obj] | None = None,
    scheduled: bool = True,
    node: str = NODE,
    deletion: str | None = None,
    restart_policy: str = "Always",
    scheduling_gates: Sequence[str] = (),
    now: datetime = NOW,
) -> Obj:
    """A pod as the API server returns it.

    Spec containers default to the names/images of ``statuses`` (and ``init_statuses``;
    names in ``sidecars`` get ``restartPolicy: Always``). Conditions are derived from the
    statuses unless given.
    """
    created = created or ago(now, days=2, hours=3)
    sidecars = tuple(sidecars)
    if containers is None:
        containers = [container_spec(s["name"], s["image"]) for s in statuses] or [
            container_spec("app", APP_IMAGE)
        ]
    if init_containers is None:
        init_containers = [
            container_spec(s["name"], s["image"], **({"restartPolicy": "Always"} if s["name"] in sidecars else {}))
            for s in init_statuses
        ]
    pod_uid = uid(namespace, "Pod", name)
    meta: Obj = {
        "creationTimestamp": created,
        "labels": dict(labels or {}),
        "name": name,
        "namespace": namespace,
        "resourceVersion": _resource_version(namespace, name),
        "uid": pod_uid,
    }
    if owner is not None:
        kind, owner_name = owner
        if kind in ("ReplicaSet", "DaemonSet", "Job"):
            meta["generateName"] = owner_name + "-"
        meta["ownerReferences"] = [owner_ref(kind, owner_name, namespace)]
    if deletion is not None:
        meta["deletionTimestamp"] = deletion
        meta["deletionGracePeriodSeconds"] = 30
    if not meta["labels"]:
        del meta["labels"]

    spec: Obj = {
        "containers": [copy.deepcopy(c) for c in containers],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": restart_policy,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
            {
                "effect": "NoExecute",
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "tolerationSeconds": 300,
            },
        ],
        "volumes": [
            {
                "name": "kube-api-access",
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                "name": "kube-root-ca.crt",
                            }
                        },
                    ],
                },
            }
        ],
    }
    if init_containers:
        spec["initContainers"] = [copy.deepcopy(c) for c in init_containers]
    if scheduled:
        spec["nodeName"] = node
    if scheduling_gates:
        spec["schedulingGates"] = [{"name": g} for g in scheduling_gates]

    status: Obj = {"phase": phase, "qosClass": "Burstable"}
    if conditions is None:
        conditions = _default_conditions(
            phase=phase,
            scheduled=scheduled,
            statuses=statuses,
            init_statuses=init_statuses,
            sidecars=sidecars,
            created=created,
        )
    status["conditions"] = conditions
    if scheduled:
        pod_ip = "10.244.%d.%d" % (int(_hex(name, n=2), 16) % 8, int(_hex(name, 1, n=2), 16) % 250 + 2)
        status.update(
            {
                "hostIP": NODE_IP,
                "hostIPs": [{"ip": NODE_IP}],
                "podIP": pod_ip,
                "podIPs": [{"ip": pod_ip}],
                "startTime": created,
            }
        )
    if statuses:
        status["containerStatuses"] = [copy.deepcopy(s) for s in statuses]
    if init_statuses:
        status["initContainerStatuses"] = [copy.deepcopy(s) for s in init_statuses]
    if reason:
        status["reason"] = reason
    if message:
        status["message"] = message

    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def deployment_pod(
    deployment: str = "web",
    template_hash: str = "7d4b9c6f5",
    suffix: str = "x2x9k",
    *,
    namespace: str = "shop",
    label_hash: bool = True,
    **kw: Any,
) -> Obj:
    """A pod of Deployment ``deployment``'s ReplicaSet ``<deployment>-<template_hash>``."""
    labels = {"app.kubernetes.io/name": deployment}
    if label_hash:
        labels["pod-template-hash"] = template_hash
    labels.update(kw.pop("labels", {}) or {})
    return pod(
        f"{deployment}-{template_hash}-{suffix}",
        namespace=namespace,
        owner=("ReplicaSet", f"{deployment}-{template_hash}"),
        labels=labels,
        **kw,
    )


def statefulset_pod(sts: str = "db", ordinal: int = 0, *, namespace: str = "shop", **kw: Any) -> Obj:
    name = f"{sts}-{ordinal}"
    labels = {
        "app.kubernetes.io/name": sts,
        "apps.kubernetes.io/pod-index": str(ordinal),
        "controller-revision-hash": f"{sts}-5d8f9c7b4c",
        "statefulset.kubernetes.io/pod-name": name,
    }
    return pod(name, namespace=namespace, owner=("StatefulSet", sts), labels=labels, **kw)


def daemonset_pod(ds: str = "node-exporter", suffix: str = "q7wz4", *, namespace: str = "monitoring", **kw: Any) -> Obj:
    labels = {
        "app.kubernetes.io/name": ds,
        "controller-revision-hash": "6b9f8d7c5d",
        "pod-template-generation": "3",
    }
    return pod(f"{ds}-{suffix}", namespace=namespace, owner=("DaemonSet", ds), labels=labels, **kw)


def job_pod(job: str = "db-migrate-29401230", suffix: str = "k8m2p", *, namespace: str = "shop", **kw: Any) -> Obj:
    job_uid = uid(namespace, "Job", job)
    labels = {
        "batch.kubernetes.io/controller-uid": job_uid,
        "batch.kubernetes.io/job-name": job,
        "controller-uid": job_uid,
        "job-name": job,
    }
    kw.setdefault("restart_policy", "Never")
    return pod(f"{job}-{suffix}", namespace=namespace, owner=("Job", job), labels=labels, **kw)


# --------------------------------------------------------------------------- workloads


def _pod_template(app: str, images: Sequence[tuple[str, str]], template_hash: str | None = None) -> Obj:
    labels = {"app.kubernetes.io/name": app}
    if template_hash:
        labels["pod-template-hash"] = template_hash
    return {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [container_spec(n, img) for n, img in images],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "terminationGracePeriodSeconds": 30,
        },
    }


def _images(image: str | Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("app", image)] if isinstance(image, str) else list(image)


def deployment(
    name: str = "web",
    *,
    namespace: str = "shop",
    replicas: int = 3,
    ready: int | None = None,
    revision: int = 1,
    image: str | Sequence[tuple[str, str]] = APP_IMAGE,
    created: str | None = None,
    with_kind: bool = True,
) -> Obj:
    """A Deployment; ``with_kind=False`` gives it as an item of a list response (no kind)."""
    ready = replicas if ready is None else ready
    status: Obj = {
        "availableReplicas": ready,
        "conditions": [
            {
                "lastTransitionTime": ago(days=30),
                "lastUpdateTime": ago(days=30),
                "message": "Deployment has minimum availability.",
                "reason": "MinimumReplicasAvailable",
                "status": "True" if ready >= replicas else "False",
                "type": "Available",
            },
            {
                "lastTransitionTime": ago(days=30),
                "lastUpdateTime": ago(minutes=20),
                "message": f'ReplicaSet "{name}-7d4b9c6f5" has successfully progressed.',
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            },
        ],
        "observedGeneration": revision,
        "readyReplicas": ready,
        "replicas": replicas,
        "updatedReplicas": replicas,
    }
    if ready == 0:
        del status["readyReplicas"], status["availableReplicas"]
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "creationTimestamp": created or ago(days=90),
            "generation": revision,
            "labels": {"app.kubernetes.io/name": name},
            "name": name,
            "namespace": namespace,
            "resourceVersion": _resource_version(namespace, "deploy", name),
            "uid": uid(namespace, "Deployment", name),
        },
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
            "template": _pod_template(name, _images(image)),
        },
        "status": status,
    }
    if not with_kind:
        del obj["kind"], obj["apiVersion"]
    return obj


def replicaset(
    deployment_name: str = "web",
    template_hash: str = "7d4b9c6f5",
    *,
    namespace: str = "shop",
    revision: int = 1,
    image: str | Sequence[tuple[str, str]] = APP_IMAGE,
    created: str | None = None,
    replicas: int = 3,
    owner_uid: str | None = None,
) -> Obj:
    name = f"{deployment_name}-{template_hash}"
    ref = owner_ref("Deployment", deployment_name, namespace)
    if owner_uid is not None:
        ref["uid"] = owner_uid
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": str(revision),
            },
            "creationTimestamp": created or ago(days=60),
            "generation": 1,
            "labels": {"app.kubernetes.io/name": deployment_name, "pod-template-hash": template_hash},
            "name": name,
            "namespace": namespace,
            "ownerReferences": [ref],
            "resourceVersion": _resource_version(namespace, "rs", name),
            "uid": uid(namespace, "ReplicaSet", name),
        },
        "spec": {
            "replicas": replicas,
            "selector": {
                "matchLabels": {"app.kubernetes.io/name": deployment_name, "pod-template-hash": template_hash}
            },
            "template": _pod_template(deployment_name, _images(image), template_hash),
        },
        "status": {
            "availableReplicas": replicas,
            "fullyLabeledReplicas": replicas,
            "observedGeneration": 1,
            "readyReplicas": replicas,
            "replicas": replicas,
        }
        if replicas
        else {"observedGeneration": 1, "replicas": 0},
    }


def statefulset(
    name: str = "db",
    *,
    namespace: str = "shop",
    replicas: int = 3,
    ready: int | None = None,
    image: str = "docker.io/library/postgres:16.4",
    with_kind: bool = True,
) -> Obj:
    ready = replicas if ready is None else ready
    status: Obj = {
        "availableReplicas": ready,
        "collisionCount": 0,
        "currentReplicas": replicas,
        "currentRevision": f"{name}-5d8f9c7b4c",
        "observedGeneration": 1,
        "readyReplicas": ready,
        "replicas": replicas,
        "updateRevision": f"{name}-5d8f9c7b4c",
        "updatedReplicas": replicas,
    }
    if ready == 0:
        del status["readyReplicas"]
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "creationTimestamp": ago(days=200),
            "generation": 1,
            "name": name,
            "namespace": namespace,
            "resourceVersion": _resource_version(namespace, "sts", name),
            "uid": uid(namespace, "StatefulSet", name),
        },
        "spec": {
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "podManagementPolicy": "OrderedReady",
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "serviceName": name,
            "template": _pod_template(name, [("postgres", image)]),
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
        },
        "status": status,
    }
    if not with_kind:
        del obj["kind"], obj["apiVersion"]
    return obj


def daemonset(
    name: str = "node-exporter",
    *,
    namespace: str = "monitoring",
    desired: int = 3,
    ready: int | None = None,
    image: str = "quay.io/prometheus/node-exporter:v1.8.2",
    with_kind: bool = True,
) -> Obj:
    ready = desired if ready is None else ready
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "annotations": {"deprecated.daemonset.template.generation": "3"},
            "creationTimestamp": ago(days=300),
            "generation": 3,
            "name": name,
            "namespace": namespace,
            "resourceVersion": _resource_version(namespace, "ds", name),
            "uid": uid(namespace, "DaemonSet", name),
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": _pod_template(name, [("node-exporter", image)]),
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"},
        },
        "status": {
            "currentNumberScheduled": desired,
            "desiredNumberScheduled": desired,
            "numberAvailable": ready,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "observedGeneration": 3,
            "updatedNumberScheduled": desired,
        },
    }
    if ready < desired:
        obj["status"]["numberUnavailable"] = desired - ready
    if not with_kind:
        del obj["kind"], obj["apiVersion"]
    return obj


# --------------------------------------------------------------------------- events


def event(
    reason: str,
    message: str,
    *,
    kind: str = "Pod",
    name: str = "web-7d4b9c6f5-x2x9k",
    namespace: str = "shop",
    type_: str = "Warning",
    count: int | None = 1,
    first: str | None = None,
    last: str | None = None,
    component: str = "kubelet",
    field_path: str | None = None,
    series: tuple[int, str] | None = None,
    event_time: str | None = None,
) -> Obj:
    """A core/v1 Event (what ``kubectl get events`` lists)."""
    first = first or last or ago(minutes=5)
    last_ts = last or first
    ev_name = f"{name}.{_hex(reason, message, first, n=16)}"
    involved: Obj = {
        "apiVersion": "apps/v1" if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet") else "v1",
        "kind": kind,
        "name": name,
        "namespace": namespace,
        "resourceVersion": _resource_version(namespace, kind, name),
        "uid": uid(namespace, kind, name),
    }
    if field_path:
        involved["fieldPath"] = field_path
    ev: Obj = {
        "apiVersion": "v1",
        "kind": "Event",
        "firstTimestamp": first,
        "involvedObject": involved,
        "lastTimestamp": last_ts,
        "message": message,
        "metadata": {
            "creationTimestamp": first,
            "name": ev_name,
            "namespace": namespace,
            "resourceVersion": _resource_version(namespace, ev_name),
            "uid": uid(namespace, "Event", ev_name),
        },
        "reason": reason,
        "reportingComponent": component,
        "reportingInstance": NODE if component == "kubelet" else "",
        "source": {"component": component, **({"host": NODE} if component == "kubelet" else {})},
        "type": type_,
    }
    if count is not None:
        ev["count"] = count
    if series is not None:
        # events written through the events.k8s.io API: no first/last timestamps, a series
        series_count, observed = series
        ev["series"] = {"count": series_count, "lastObservedTime": observed}
        ev["eventTime"] = event_time or micro_ts(NOW - timedelta(minutes=30))
        ev["firstTimestamp"] = None
        ev["lastTimestamp"] = None
        ev.pop("count", None)
        ev["action"] = "Scheduling"
        ev["reportingComponent"] = component
    elif event_time is not None:
        ev["eventTime"] = event_time
        ev["firstTimestamp"] = None
        ev["lastTimestamp"] = None
        ev["action"] = "Binding"
    return ev

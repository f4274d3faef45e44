"""Kubernetes objects for a drill's cluster state, shaped like the API server's JSON.

Pure: :func:`objects` turns a :class:`~warroom.drill.script.ClusterState` at ``now`` into the
plain dicts a list or watch returns (pods with container statuses the kubelet would write,
Deployments/StatefulSets with their status, one ReplicaSet per revision, Warning events), so
the pod pane and ``warroom pods`` read a drill exactly as they read a cluster. The official
client's models accept every object (tested).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.times import iso_seconds
from warroom.drill.script import CRASHING, ClusterState, Replica, WorkloadState, crash_loop

Obj = dict[str, Any]
NODES = ("ip-10-0-1-23.ec2.internal", "ip-10-0-2-41.ec2.internal", "ip-10-0-3-17.ec2.internal")
_EXIT = {"CrashLoopBackOff": (1, "Error"), "Error": (1, "Error"), "OOMKilled": (137, "OOMKilled")}


def _hex(*parts: object, n: int = 10) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:n]


def _uid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "drill://" + "/".join(map(str, parts))))


def _rv(obj: Obj) -> str:
    """A resourceVersion that changes when the object does."""
    return str(int(hashlib.sha256(repr(obj).encode()).hexdigest()[:8], 16) % 90_000_000 + 10_000_000)


def _stamp(obj: Obj) -> Obj:
    obj["metadata"]["resourceVersion"] = _rv(obj)
    return obj


def template_hash(workload: str, revision: int) -> str:
    return "".join(c for c in _hex(workload, revision, n=16) if c not in "aeiou")[:10]


def pod_name(w: WorkloadState, r: Replica) -> str:
    if w.workload.kind == "StatefulSet":
        return f"{w.workload.name}-{r.index}"
    suffix = "".join(c for c in _hex(w.workload.name, r.revision, r.index, n=20) if c not in "aeiou")[:5]
    return f"{w.workload.name}-{template_hash(w.workload.name, r.revision)}-{suffix}"


def objects(state: ClusterState, now: datetime) -> dict[str, list[Obj]]:
    """``{"pods": […], "deployments": […], "replicasets": […], "statefulsets": […], "daemonsets": [],
    "events": […]}`` at ``now``."""
    out: dict[str, list[Obj]] = {k: [] for k in ("pods", "deployments", "replicasets", "statefulsets",
                                                    "daemonsets", "events")}
    for w in state.workloads:
        pods = [_pod(w, r, now) for r in w.replicas]
        out["pods"] += pods
        ready = sum(1 for r in w.replicas if r.status == "Running")
        if w.workload.kind == "StatefulSet":
            out["statefulsets"].append(_statefulset(w, ready))
        else:
            out["deployments"].append(_deployment(w, ready))
            out["replicasets"] += [_replicaset(w, rev.number, ready) for rev in w.revisions]
        out["events"] += _kubelet_events(w, now)
    for note in state.warnings:
        w = next(x for x in state.workloads if x.workload.name == note.workload)
        name = pod_name(w, w.replicas[0]) if w.replicas else w.workload.name
        kind = "Pod" if w.replicas else w.workload.kind
        out["events"].append(_event(w, kind, name, note.reason, note.message, note.at, note.at, 1))
    return out


def _labels(w: WorkloadState, revision: int | None = None) -> dict[str, str]:
    labels = {"app.kubernetes.io/name": w.workload.name}
    if revision is not None and w.workload.kind == "Deployment":
        labels["pod-template-hash"] = template_hash(w.workload.name, revision)
    return labels


def _container(image: str) -> Obj:
    return {
        "image": image, "imagePullPolicy": "IfNotPresent", "name": "app",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                           "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1},
        "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
    }


def _template(w: WorkloadState, revision: int, image: str) -> Obj:
    return {
        "metadata": {"labels": _labels(w, revision)},
        "spec": {"containers": [_container(image)], "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
                 "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30},
    }


def _image_id(image: str) -> str:
    return f"{image.rsplit(':', 1)[0]}@sha256:{_hex(image, n=64)}"


def _cond(type_: str, ok: bool, at: datetime, reason: str | None = None) -> Obj:
    c: Obj = {"lastProbeTime": None, "lastTransitionTime": iso_seconds(at), "status": "True" if ok else "False",
              "type": type_}
    if reason:
        c["reason"] = reason
    return c


def _container_status(r: Replica, image: str, now: datetime) -> Obj | None:
    """What the kubelet reports for the pod's one container, ``None`` when it is not scheduled."""
    if r.status == "Pending":
        return None
    base: Obj = {"image": image, "imageID": _image_id(image), "name": "app", "lastState": {},
                 "containerID": "containerd://" + _hex("c", r.index, r.revision, r.since, n=64)}
    if r.status in ("ImagePullBackOff", "ErrImagePull"):
        return {**base, "imageID": "", "containerID": None, "ready": False, "restartCount": 0, "started": False,
                "state": {"waiting": {"reason": r.status, "message": f'Back-off pulling image "{image}"'
                                      if r.status == "ImagePullBackOff" else
                                      f"rpc error: code = NotFound desc = failed to pull and unpack image "
                                      f'"{image}": not found'}}}
    if r.status in CRASHING:
        exit_code, reason = _EXIT[r.status]
        restarts, last = crash_loop(now - r.since)
        crashed = r.since + last
        last_state = {"terminated": {"containerID": base["containerID"], "exitCode": exit_code,
                                     "finishedAt": iso_seconds(crashed), "reason": reason,
                                     "startedAt": iso_seconds(crashed - timedelta(seconds=5))}}
        if restarts == 0:  # still on its first run
            return {**base, "ready": False, "restartCount": 0, "started": True,
                    "state": {"running": {"startedAt": iso_seconds(r.since)}}}
        if r.status == "CrashLoopBackOff":
            state = {"waiting": {"reason": "CrashLoopBackOff",
                                 "message": "back-off restarting failed container app in pod"}}
            return {**base, "ready": False, "restartCount": restarts, "started": False, "lastState": last_state,
                    "state": state}
        return {**base, "ready": False, "restartCount": restarts - 1, "started": False,
                "state": last_state}
    ready = r.status == "Running"
    return {**base, "ready": ready, "restartCount": 0, "started": True,
            "state": {"running": {"startedAt": iso_seconds(r.since if r.status == "NotReady" else r.created)}}}


def _pod(w: WorkloadState, r: Replica, now: datetime) -> Obj:
    rev = next(x for x in w.revisions if x.number == r.revision)
    name = pod_name(w, r)
    ns = w.workload.namespace
    status = _container_status(r, rev.image, now)
    scheduled = status is not None
    ready = r.status == "Running"
    if w.workload.kind == "StatefulSet":
        owner = ("StatefulSet", w.workload.name)
    else:
        owner = ("ReplicaSet", f"{w.workload.name}-{template_hash(w.workload.name, r.revision)}")
    phase = "Running" if scheduled and r.status not in ("ImagePullBackOff", "ErrImagePull") else "Pending"
    pod_status: Obj = {
        "conditions": [_cond("PodScheduled", scheduled, r.created, None if scheduled else "Unschedulable")],
        "phase": phase,
        "qosClass": "Burstable",
        "startTime": iso_seconds(r.created),
    }
    if scheduled:
        pod_status["conditions"] = [
            _cond("PodReadyToStartContainers", True, r.created), _cond("Initialized", True, r.created),
            _cond("Ready", ready, r.since, None if ready else "ContainersNotReady"),
            _cond("ContainersReady", ready, r.since, None if ready else "ContainersNotReady"),
            _cond("PodScheduled", True, r.created),
        ]
        pod_status["containerStatuses"] = [status]
        pod_status["hostIP"] = f"10.0.{r.index % 3 + 1}.{20 + r.index % 3}"
        pod_status["podIP"] = f"10.244.{r.index % 3 + 1}.{10 + r.index}"
    else:
        pod_status["conditions"][0]["message"] = ("0/3 nodes are available: 3 Insufficient cpu. preemption: "
                                                  "0/3 nodes are available: 3 No preemption victims found.")
    spec = _template(w, r.revision, rev.image)["spec"]
    spec.update({"enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
                 "serviceAccount": "default", "serviceAccountName": "default",
                 "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready",
                                  "operator": "Exists", "tolerationSeconds": 300}]})
    if scheduled:
        spec["nodeName"] = NODES[r.index % len(NODES)]
    return _stamp({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "creationTimestamp": iso_seconds(r.created), "generateName": name.rsplit("-", 1)[0] + "-",
            "labels": _labels(w, r.revision), "name": name, "namespace": ns,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                                 "kind": owner[0], "name": owner[1], "uid": _uid(ns, *owner)}],
            "uid": _uid(ns, "Pod", name),
        },
        "spec": spec,
        "status": pod_status,
    })


def _meta(w: WorkloadState, kind: str, name: str, created: datetime, **extra: Any) -> Obj:
    ns = w.workload.namespace
    return {"creationTimestamp": iso_seconds(created), "generation": w.current.number, "labels": _labels(w),
            "name": name, "namespace": ns, "uid": _uid(ns, kind, name), **extra}


def _deployment(w: WorkloadState, ready: int) -> Obj:
    desired = len(w.replicas)
    rev = w.current
    available = ready >= desired
    status: Obj = {
        "conditions": [
            {"lastTransitionTime": iso_seconds(rev.at), "lastUpdateTime": iso_seconds(rev.at),
             "message": "Deployment has minimum availability." if available
             else "Deployment does not have minimum availability.",
             "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
             "status": "True" if available else "False", "type": "Available"},
            {"lastTransitionTime": iso_seconds(rev.at), "lastUpdateTime": iso_seconds(rev.at),
             "message": f'ReplicaSet "{w.workload.name}-{template_hash(w.workload.name, rev.number)}" '
                        f"is progressing.", "reason": "ReplicaSetUpdated", "status": "True", "type": "Progressing"},
        ],
        "observedGeneration": rev.number, "replicas": desired, "updatedReplicas": desired,
        "unavailableReplicas": desired - ready,
    }
    if ready:
        status.update(readyReplicas=ready, availableReplicas=ready)
    if desired == ready:
        del status["unavailableReplicas"]
    return _stamp({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": _meta(w, "Deployment", w.workload.name, w.revisions[0].at,
                          annotations={"deployment.kubernetes.io/revision": str(rev.number)}),
        "spec": {"progressDeadlineSeconds": 600, "replicas": desired, "revisionHistoryLimit": 10,
                 "selector": {"matchLabels": _labels(w)},
                 "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                 "template": _template(w, rev.number, rev.image)},
        "status": status,
    })


def _replicaset(w: WorkloadState, number: int, ready: int) -> Obj:
    rev = next(x for x in w.revisions if x.number == number)
    current = number == w.current.number
    replicas = len(w.replicas) if current else 0
    name = f"{w.workload.name}-{template_hash(w.workload.name, number)}"
    ns = w.workload.namespace
    meta = _meta(w, "ReplicaSet", name, rev.at, annotations={
        "deployment.kubernetes.io/desired-replicas": str(len(w.replicas)),
        "deployment.kubernetes.io/max-replicas": str(len(w.replicas) + 1),
        "deployment.kubernetes.io/revision": str(number)},
        ownerReferences=[{"apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                          "kind": "Deployment", "name": w.workload.name,
                          "uid": _uid(ns, "Deployment", w.workload.name)}])
    meta["labels"] = _labels(w, number)
    meta["generation"] = 1
    status: Obj = {"observedGeneration": 1, "replicas": replicas}
    if current and replicas:
        status.update(fullyLabeledReplicas=replicas, readyReplicas=ready, availableReplicas=ready)
    return _stamp({
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta,
        "spec": {"replicas": replicas, "selector": {"matchLabels": _labels(w, number)},
                 "template": _template(w, number, rev.image)},
        "status": status,
    })


def _statefulset(w: WorkloadState, ready: int) -> Obj:
    desired = len(w.replicas)
    status: Obj = {"availableReplicas": ready, "collisionCount": 0, "currentReplicas": desired,
                   "observedGeneration": w.current.number, "readyReplicas": ready, "replicas": desired,
                   "updatedReplicas": desired}
    return _stamp({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": _meta(w, "StatefulSet", w.workload.name, w.revisions[0].at),
        "spec": {"podManagementPolicy": "OrderedReady", "replicas": desired, "revisionHistoryLimit": 10,
                 "selector": {"matchLabels": _labels(w)}, "serviceName": w.workload.name,
                 "template": _template(w, w.current.number, w.current.image),
                 "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}},
        "status": status,
    })


def _kubelet_events(w: WorkloadState, now: datetime) -> list[Obj]:
    """What the kubelet and scheduler say about unhealthy pods (BackOff, Failed, FailedScheduling)."""
    out = []
    for r in w.replicas:
        name = pod_name(w, r)
        image = next(x.image for x in w.revisions if x.number == r.revision)
        if r.status in CRASHING:
            restarts, last = crash_loop(now - r.since)
            if restarts:
                out.append(_event(w, "Pod", name, "BackOff", "Back-off restarting failed container app in pod "
                                  f"{name}_{w.workload.namespace}({_uid(w.workload.namespace, 'Pod', name)})",
                                  r.since, r.since + last, restarts))
        elif r.status in ("ImagePullBackOff", "ErrImagePull"):
            out.append(_event(w, "Pod", name, "Failed", f'Failed to pull image "{image}": not found',
                              r.since, now, 1 + int((now - r.since).total_seconds() // 30)))
        elif r.status == "Pending":
            out.append(_event(w, "Pod", name, "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.",
                              r.since, now, 1 + int((now - r.since).total_seconds() // 60), component="scheduler"))
    return out


def _event(w: WorkloadState, kind: str, name: str, reason: str, message: str, first: datetime, last: datetime,
           count: int, *, component: str = "kubelet") -> Obj:
    ns = w.workload.namespace
    ev_name = f"{name}.{_hex(reason, first, n=16)}"
    involved = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind, "name": name, "namespace": ns,
                "uid": _uid(ns, kind, name)}
    return _stamp({
        "apiVersion": "v1", "kind": "Event", "count": count, "firstTimestamp": iso_seconds(first),
        "involvedObject": involved, "lastTimestamp": iso_seconds(last), "message": message,
        "metadata": {"creationTimestamp": iso_seconds(first), "name": ev_name, "namespace": ns,
                     "uid": _uid(ns, "Event", ev_name)},
        "reason": reason, "reportingComponent": component, "reportingInstance": "",
        "source": {"component": component}, "type": "Warning",
    })

"""Workload health: ready vs desired replicas per workload, pod counts per namespace.

The counts come from the pod rows (:class:`PodTally`), kept as counts so that the incremental
index (:mod:`warroom.domain.pod_index`) moves them by one when a pod changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from warroom.domain.pod_fields import Obj, Unreadable, as_int, as_text, get_in
from warroom.domain.pod_owner import Owner
from warroom.domain.pod_status import PodRow

__all__ = [
    "NamespaceHealth",
    "OwnerKey",
    "PodTally",
    "WorkloadHealth",
    "WorkloadSummary",
    "count_row",
    "summarize",
    "tally",
    "workload_kind",
    "workload_summary",
]


@dataclass(frozen=True)
class WorkloadHealth:
    """Ready vs desired replicas of one workload, and how its pods look."""

    namespace: str
    kind: str
    name: str
    ready: int
    desired: int | None  # None: not a known workload (a Job, a bare ReplicaSet…)
    pods: int
    unhealthy_pods: int

    @property
    def owner(self) -> Owner:
        return Owner(self.kind, self.name)

    @property
    def healthy(self) -> bool:
        enough = self.desired is None or self.ready >= self.desired
        return enough and self.unhealthy_pods == 0

    @property
    def ready_text(self) -> str:
        return f"{self.ready}/{'?' if self.desired is None else self.desired}"


@dataclass(frozen=True)
class NamespaceHealth:
    namespace: str
    total: int
    unhealthy: int


@dataclass(frozen=True)
class WorkloadSummary:
    workloads: tuple[WorkloadHealth, ...]
    namespaces: tuple[NamespaceHealth, ...]


def workload_kind(obj: Obj) -> str:
    """``Deployment``, ``StatefulSet`` or ``DaemonSet``.

    Items of a list response carry no ``kind``; then it is read from fields only that kind
    has (the API server defaults them, so they are always there).
    """
    kind = get_in(obj, "kind")
    if kind:
        return kind
    spec = get_in(obj, "spec") or {}
    status = get_in(obj, "status") or {}
    if "desiredNumberScheduled" in status or ("replicas" not in spec and "updateStrategy" in spec):
        return "DaemonSet"
    if any(k in spec for k in ("podManagementPolicy", "serviceName", "volumeClaimTemplates")):
        return "StatefulSet"
    return "Deployment"


OwnerKey = tuple[str, str, str]  # (namespace, kind, name)


@dataclass(frozen=True)
class PodTally:
    """What the workload summary needs from the rows: counts per owner and per namespace.

    Kept as counts so that a changed pod moves them by one instead of recounting 5,000 rows.
    """

    #: ``(pods, unhealthy, fully ready)`` per controlling workload
    owners: Mapping[OwnerKey, tuple[int, int, int]]
    #: ``(pods, unhealthy)`` per namespace
    namespaces: Mapping[str, tuple[int, int]]


def count_row(owners: dict[OwnerKey, tuple[int, int, int]], namespaces: dict[str, tuple[int, int]],
           row: PodRow, sign: int) -> None:
    """Add (``sign=1``) or take away (``-1``) one row from the counts; a count that drops to 0 goes."""
    bad = 0 if row.healthy else sign
    total, unhealthy = namespaces.get(row.namespace, (0, 0))
    if total + sign:
        namespaces[row.namespace] = (total + sign, unhealthy + bad)
    else:
        namespaces.pop(row.namespace, None)
    if row.owner is None:
        return
    key = (row.namespace, row.owner.kind, row.owner.name)
    full = sign if row.total_containers and row.ready_containers == row.total_containers else 0
    pods, unhealthy, ready = owners.get(key, (0, 0, 0))
    if pods + sign:
        owners[key] = (pods + sign, unhealthy + bad, ready + full)
    else:
        owners.pop(key, None)


def tally(rows: Iterable[PodRow]) -> PodTally:
    owners: dict[OwnerKey, tuple[int, int, int]] = {}
    namespaces: dict[str, tuple[int, int]] = {}
    for row in rows:
        count_row(owners, namespaces, row, 1)
    return PodTally(owners, namespaces)


def workload_summary(rows: Iterable[PodRow], workloads: Iterable[Obj]) -> WorkloadSummary:
    """Per workload ready/desired (unhealthy first) and per namespace pod counts (see :func:`summarize`)."""
    return summarize(tally(rows), workloads)


def summarize(counts: PodTally, workloads: Iterable[Obj]) -> WorkloadSummary:
    """Per workload ready/desired (unhealthy first) and per namespace pod counts.

    Deployments and StatefulSets: desired ``spec.replicas`` (default 1), ready
    ``status.readyReplicas``; DaemonSets: ``status.desiredNumberScheduled`` and
    ``status.numberReady``. Owners seen on pods but absent from ``workloads`` (Jobs, bare
    ReplicaSets, a workload list not loaded yet) are listed with ``desired=None`` and the
    number of their pods that are fully ready.
    """
    out: dict[OwnerKey, WorkloadHealth] = {}
    for obj in workloads:
        try:
            kind = as_text(workload_kind(obj), "kind")
            namespace = as_text(get_in(obj, "metadata", "namespace"), "metadata.namespace")
            name = as_text(get_in(obj, "metadata", "name"), "metadata.name")
        except (Unreadable, TypeError):
            continue  # a malformed workload is left out; its pods still count under their owner
        if kind == "DaemonSet":
            desired = as_int(get_in(obj, "status", "desiredNumberScheduled"))
            ready = as_int(get_in(obj, "status", "numberReady"))
        else:
            desired = as_int(get_in(obj, "spec", "replicas"), default=1)
            ready = as_int(get_in(obj, "status", "readyReplicas"))
        key = (namespace, kind, name)
        pods, unhealthy, _ = counts.owners.get(key, (0, 0, 0))
        out[key] = WorkloadHealth(
            namespace=namespace, kind=kind, name=name, ready=ready, desired=desired,
            pods=pods, unhealthy_pods=unhealthy,
        )
    for key, (pods, unhealthy, fully_ready) in counts.owners.items():
        if key in out:
            continue
        namespace, kind, name = key
        out[key] = WorkloadHealth(
            namespace=namespace, kind=kind, name=name, ready=fully_ready, desired=None,
            pods=pods, unhealthy_pods=unhealthy,
        )
    namespaces = sorted(
        (NamespaceHealth(ns, total, unhealthy) for ns, (total, unhealthy) in counts.namespaces.items()),
        key=lambda n: (n.unhealthy == 0, n.namespace),
    )
    workload_list = sorted(out.values(), key=lambda w: (w.healthy, w.namespace, w.kind, w.name))
    return WorkloadSummary(workloads=tuple(workload_list), namespaces=tuple(namespaces))

"""Which pod-health changes deserve a timeline entry, written once and never as a flood.

A pod going bad (OOMKilled, CrashLoopBackOff, Evicted, ImagePullBackOff, Error…) is reported per
*workload* and status, not per pod or per restart: a deployment whose 3 pods crash-loop 50 times
gives one entry ("checkout/api: 3 pods CrashLoopBackOff, 50 restarts"), keyed by workload, status
and a 15-minute bucket, so several warroom processes — and a loop that keeps crashing — write it
once per bucket. A workload below its desired replicas and a new rollout revision get one each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from warroom.domain.pod_status import PodRow
from warroom.domain.rollouts import Rollout
from warroom.domain.workloads import WorkloadHealth

BAD_STATUSES = ("OOMKilled", "CrashLoopBackOff", "Evicted", "ImagePullBackOff", "ErrImagePull", "Error",
                "CreateContainerConfigError", "Init:CrashLoopBackOff", "Init:Error", "Unknown")
BUCKET = timedelta(minutes=15)


@dataclass(frozen=True)
class PodEvent:
    key: str
    text: str


def _bucket(now: datetime) -> int:
    return int(now.timestamp() // BUCKET.total_seconds())


def pod_events(rows: Iterable[PodRow], workloads: Iterable[WorkloadHealth], rollouts: Iterable[Rollout],
               now: datetime, context: str = "") -> list[PodEvent]:
    """Events for the current state; the caller writes each key once (the store ignores repeats)."""
    where = f"[{context}] " if context else ""
    bucket = _bucket(now)
    groups: dict[tuple[str, str, str], list[PodRow]] = {}
    for row in rows:
        if row.status in BAD_STATUSES:
            owner = row.owner.name if row.owner else row.name
            groups.setdefault((row.namespace, owner, row.status), []).append(row)
    events = []
    for (namespace, owner, status), pods in sorted(groups.items()):
        restarts = sum(p.restarts for p in pods)
        count = f"{len(pods)} pod{'s' if len(pods) != 1 else ''}"
        names = ", ".join(p.name for p in pods[:3]) + (" …" if len(pods) > 3 else "")
        text = f"Pods: {where}{namespace}/{owner}: {count} {status}"
        if restarts:
            text += f", {restarts} restart{'s' if restarts != 1 else ''}"
        events.append(PodEvent(f"pod:{context}:{namespace}/{owner}:{status}:{bucket}", f"{text} ({names})"))
    for w in workloads:
        if w.desired is not None and w.ready < w.desired:
            events.append(PodEvent(
                f"workload:{context}:{w.namespace}/{w.kind}/{w.name}:below:{bucket}",
                f"Workload {where}{w.namespace}/{w.name} ({w.kind}) below desired: {w.ready}/{w.desired} ready"))
    for r in rollouts:
        events.append(PodEvent(
            f"rollout:{context}:{r.namespace}/{r.deployment}:{r.revision}",
            f"Rollout {where}{r.namespace}/{r.deployment} revision {r.revision} at {r.at:%H:%M}Z: {r.images_text}"))
    return events


def describe_pod(row: PodRow, now: datetime, context: str = "") -> str:
    """One line for the timeline when the scribe pins a pod (restart ages at ``now``)."""
    where = f"[{context}] " if context else ""
    node = f" on {row.node}" if row.node else ""
    return (f"Pod {where}{row.namespace}/{row.name}: {row.status}, READY {row.ready}, "
            f"restarts {row.restarts_text_at(now)}{node}")

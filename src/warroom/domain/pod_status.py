"""Pod health as ``kubectl get pods`` prints it: READY, STATUS, RESTARTS and AGE, one row per pod.

The STATUS / READY / RESTARTS columns are a faithful port of ``printPod`` in
kubernetes/kubernetes ``pkg/printers/internalversion/printers.go`` (the kubectl table
printer), and ages use the port of apimachinery's ``duration.HumanDuration``, so a row
reads exactly like the terminal next to it: ``CrashLoopBackOff``, ``0/1``, ``7 (45s ago)``.
Timestamps may be RFC 3339 text (``2026-11-23T10:15:00Z``, ``…+00:00``, with or without
fractions) or aware datetimes (:func:`parse_time`).

A pod that cannot be read is one unhealthy ``Unreadable: <why>`` row (:func:`unreadable_row`).
All text is returned as is (pod names…): nothing here interprets or escapes markup; that is
the UI's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.domain.pod_fields import Obj, Unreadable, as_int, as_list, as_text, get_in, shown
from warroom.domain.pod_owner import Owner, pod_owner
from warroom.domain.times import format_kube_duration, parse_instant

__all__ = [
    "PodRow",
    "PodStatus",
    "parse_time",
    "pod_row",
    "pod_status",
    "sort_rows",
    "time_field",
    "unreadable_row",
]


#: ``status.reason`` the node lifecycle controller sets on pods of an unreachable node.
NODE_UNREACHABLE_POD_REASON = "NodeLost"
SCHEDULING_GATED = "SchedulingGated"

_TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})


def parse_time(value: object) -> datetime | None:
    """An API timestamp (RFC 3339 text or an aware datetime) as a datetime; None if unset.

    Naive datetimes and unparsable text are refused with ``ValueError``: they would make
    every age silently wrong.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp: {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return parse_instant(value.strip())  # TimeParseError is a ValueError: the object becomes Unreadable


def time_field(obj: Obj | None, *path: str, field: str = "") -> datetime | None:
    """A timestamp field (see :func:`parse_time`); a value that is not one is :class:`Unreadable`."""
    value = get_in(obj, *path)
    try:
        return parse_time(value)
    except ValueError:
        raise Unreadable(f"{field or '.'.join(path)} is not a timestamp: {shown(value)}") from None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if a < b else a


def _condition_true(conditions: list[Any], type_: str) -> bool:
    """The first condition of ``type_`` has status True (kubectl's isPodInitializedConditionTrue)."""
    for cond in conditions:
        if get_in(cond, "type") == type_:
            return get_in(cond, "status") == "True"
    return False


def _has_pod_ready_condition(conditions: list[Any]) -> bool:
    """Any Ready condition with status True (kubectl's hasPodReadyCondition)."""
    return any(get_in(c, "type") == "Ready" and get_in(c, "status") == "True" for c in conditions)


@dataclass(frozen=True)
class PodStatus:
    """The READY, STATUS and RESTARTS columns of ``kubectl get pods``, unformatted."""

    ready_containers: int
    total_containers: int
    status: str
    restarts: int
    last_restart: datetime | None

    @property
    def ready(self) -> str:
        return f"{self.ready_containers}/{self.total_containers}"


@dataclass(frozen=True)
class PodRow:
    """One pod as the health pane shows it.

    Holds instants, not ages: a row stays true as time passes, so rows of unchanged pods are kept
    from one snapshot to the next and the AGE / "(5m ago)" texts are formatted at ``now`` when shown.
    """

    namespace: str
    name: str
    ready: str
    status: str
    restarts: int
    last_restart: datetime | None
    created: datetime | None
    node: str
    owner: Owner | None
    healthy: bool
    uid: str = ""
    ready_containers: int = 0
    total_containers: int = 0
    phase: str = ""
    #: why the pod could not be read (then ``status`` is ``Unreadable: <problem>``); "" for a readable pod
    problem: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.name)

    def age_at(self, now: datetime) -> timedelta | None:
        return None if self.created is None else now - self.created

    def last_restart_age_at(self, now: datetime) -> timedelta | None:
        return None if self.last_restart is None else now - self.last_restart

    def restarts_text_at(self, now: datetime) -> str:
        """``5 (3m ago)`` as kubectl prints it; a bare count when no restart time is known."""
        if self.restarts != 0 and self.last_restart is not None:
            return f"{self.restarts} ({format_kube_duration(now - self.last_restart)} ago)"
        return str(self.restarts)

    def age_text_at(self, now: datetime) -> str:
        return "<unknown>" if self.created is None else format_kube_duration(now - self.created)


def pod_status(pod: Obj) -> PodStatus:
    """READY / STATUS / RESTARTS exactly as kubectl's ``printPod`` computes them."""
    spec = get_in(pod, "spec") or {}
    status = get_in(pod, "status") or {}
    conditions = as_list(get_in(status, "conditions"))

    init_specs = as_list(get_in(spec, "initContainers"))
    # restartable init containers (sidecars) count as containers of the pod
    sidecars = [c for c in init_specs if get_in(c, "restartPolicy") == "Always"]
    restartable_init = {get_in(c, "name") for c in sidecars}
    n_init_specs = len(init_specs)
    total = len(as_list(get_in(spec, "containers"))) + len(sidecars)
    ready = 0
    restarts = 0
    restartable_restarts = 0
    last_restart: datetime | None = None
    last_restartable_restart: datetime | None = None

    phase = get_in(status, "phase") or ""
    reason = get_in(status, "reason") or phase

    for cond in conditions:
        if get_in(cond, "type") == "PodScheduled" and get_in(cond, "reason") == SCHEDULING_GATED:
            reason = SCHEDULING_GATED

    initializing = False
    for i, cs in enumerate(as_list(get_in(status, "initContainerStatuses"))):
        restarts += as_int(get_in(cs, "restartCount"))
        finished = time_field(cs, "lastState", "terminated", "finishedAt",
                         field=f"status.initContainerStatuses[{i}].lastState.terminated.finishedAt")
        last_restart = _later(last_restart, finished)
        is_restartable = get_in(cs, "name") in restartable_init
        if is_restartable:
            restartable_restarts += as_int(get_in(cs, "restartCount"))
            last_restartable_restart = _later(last_restartable_restart, finished)

        terminated = get_in(cs, "state", "terminated")
        waiting = get_in(cs, "state", "waiting")
        if terminated is not None and as_int(get_in(terminated, "exitCode")) == 0:
            continue
        if is_restartable and get_in(cs, "started") is True:
            if get_in(cs, "ready") is True:
                ready += 1
            continue
        if terminated is not None:
            # initialization failed
            if not get_in(terminated, "reason"):
                signal = as_int(get_in(terminated, "signal"))
                if signal != 0:
                    reason = f"Init:Signal:{signal}"
                else:
                    reason = f"Init:ExitCode:{as_int(get_in(terminated, 'exitCode'))}"
            else:
                reason = "Init:" + get_in(terminated, "reason")
        elif waiting is not None and get_in(waiting, "reason") and get_in(waiting, "reason") != "PodInitializing":
            reason = "Init:" + get_in(waiting, "reason")
        else:
            reason = f"Init:{i}/{n_init_specs}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts = restartable_restarts
        last_restart = last_restartable_restart
        has_running = False
        statuses = as_list(get_in(status, "containerStatuses"))
        for i, cs in reversed(list(enumerate(statuses))):
            restarts += as_int(get_in(cs, "restartCount"))
            finished = time_field(cs, "lastState", "terminated", "finishedAt",
                             field=f"status.containerStatuses[{i}].lastState.terminated.finishedAt")
            last_restart = _later(last_restart, finished)
            waiting = get_in(cs, "state", "waiting")
            terminated = get_in(cs, "state", "terminated")
            if waiting is not None and get_in(waiting, "reason"):
                reason = get_in(waiting, "reason")
            elif terminated is not None and get_in(terminated, "reason"):
                reason = get_in(terminated, "reason")
            elif terminated is not None:
                signal = as_int(get_in(terminated, "signal"))
                if signal != 0:
                    reason = f"Signal:{signal}"
                else:
                    reason = f"ExitCode:{as_int(get_in(terminated, 'exitCode'))}"
            elif get_in(cs, "ready") is True and get_in(cs, "state", "running") is not None:
                has_running = True
                ready += 1

        # back to "Running" if at least one container still reports as running
        if reason == "Completed" and has_running:
            reason = "Running" if _has_pod_ready_condition(conditions) else "NotReady"

    deleted = get_in(pod, "metadata", "deletionTimestamp") is not None
    if deleted and get_in(status, "reason") == NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif deleted and phase not in _TERMINAL_PHASES:
        reason = "Terminating"

    return PodStatus(
        ready_containers=ready,
        total_containers=total,
        status=reason,
        restarts=restarts,
        last_restart=last_restart,
    )


def pod_row(pod: Obj) -> PodRow:
    """A pod as one row of the health pane (ages are taken at display time: :meth:`PodRow.age_at`).

    Never raises: a pod that cannot be read (a bad timestamp, a missing or mistyped field) is one
    unhealthy row whose STATUS says ``Unreadable: <why>`` — one bad object costs one row, not the pane.
    """
    try:
        return _pod_row(pod)
    except Unreadable as exc:
        return unreadable_row(pod, str(exc))
    except Exception as exc:  # noqa: BLE001 — any other surprise in a malformed object, likewise
        return unreadable_row(pod, f"malformed pod ({type(exc).__name__}: {exc})")


def _pod_row(pod: Obj) -> PodRow:
    if not isinstance(pod, Mapping):
        raise Unreadable(f"not an object: {shown(pod)}")
    meta = get_in(pod, "metadata")
    if not isinstance(meta, Mapping):
        raise Unreadable(f"metadata is not an object: {shown(meta)}")
    name = as_text(get_in(meta, "name"), "metadata.name")
    if not name:
        raise Unreadable("metadata.name is missing")
    st = pod_status(pod)
    phase = as_text(get_in(pod, "status", "phase"), "status.phase")
    status = as_text(st.status, "status reason")
    all_ready = st.ready_containers == st.total_containers
    healthy = (status == "Running" and all_ready) or (status == "Completed" and phase == "Succeeded")
    owner = pod_owner(pod)
    if owner is not None:
        owner = Owner(as_text(owner.kind, "ownerReferences.kind"), as_text(owner.name, "ownerReferences.name"))
    return PodRow(
        namespace=as_text(get_in(meta, "namespace"), "metadata.namespace"),
        name=name,
        ready=st.ready,
        status=status,
        restarts=st.restarts,
        last_restart=st.last_restart,
        created=time_field(meta, "creationTimestamp", field="metadata.creationTimestamp"),
        node=as_text(get_in(pod, "spec", "nodeName"), "spec.nodeName"),
        owner=owner,
        healthy=healthy,
        uid=as_text(get_in(meta, "uid"), "metadata.uid"),
        ready_containers=st.ready_containers,
        total_containers=st.total_containers,
        phase=phase,
    )


def unreadable_row(pod: Any, problem: str) -> PodRow:
    """The row of a pod that could not be read: named as well as it can be, unhealthy, and saying why."""
    meta = get_in(pod, "metadata") if isinstance(pod, Mapping) else None

    def best(key: str) -> str:
        value = get_in(meta, key)
        return value if type(value) is str else "" if value is None else shown(value)

    return PodRow(namespace=best("namespace"), name=best("name") or "?", ready="?", status=f"Unreadable: {problem}",
                  restarts=0, last_restart=None, created=None, node="", owner=None, healthy=False,
                  uid=best("uid"), problem=problem)


def sort_rows(rows: Iterable[PodRow]) -> list[PodRow]:
    """Unhealthy pods first, then by namespace and name."""
    return sorted(rows, key=lambda r: (r.healthy, r.namespace, r.name))

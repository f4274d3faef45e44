"""Recent rollouts: a Deployment's newest revision, with the images it replaced.

Found from the Deployments and their ReplicaSets (the revision annotation the controller sets),
not from events, so a rollout shows however it was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from warroom.domain.pod_fields import Obj, Unreadable, as_list, as_text, get_in
from warroom.domain.pod_status import time_field

__all__ = [
    "REVISION_ANNOTATION",
    "Rollout",
    "aged_rollouts",
    "rollouts",
]


REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True)
class Rollout:
    """A Deployment's newest revision, with the images it replaced."""

    namespace: str
    deployment: str
    revision: int
    replicaset: str
    at: datetime
    age: timedelta
    previous_revision: int | None
    #: ``(container, image)`` of the previous and the new pod template.
    images_before: tuple[tuple[str, str], ...]
    images_after: tuple[tuple[str, str], ...]

    @property
    def changes(self) -> tuple[tuple[str, str | None, str | None], ...]:
        """``(container, before, after)`` for every container whose image changed."""
        before = dict(self.images_before)
        after = dict(self.images_after)
        names = [n for n, _ in self.images_after] + [n for n, _ in self.images_before if n not in after]
        return tuple(
            (n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)
        )

    @property
    def images_text(self) -> str:
        """``nginx:1.25 → nginx:1.26``; containers are named when the pod has several."""
        changes = self.changes
        if not changes:
            return ", ".join(img for _, img in self.images_after) + " (same image)"
        named = len(self.images_after) > 1 or len(self.images_before) > 1
        parts = []
        for name, before, after in changes:
            text = f"{before or '∅'} → {after or '∅'}"
            parts.append(f"{name}: {text}" if named else text)
        return "; ".join(parts)


def _revision(obj: Obj) -> int | None:
    value = get_in(obj, "metadata", "annotations", REVISION_ANNOTATION)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _template_images(obj: Obj) -> tuple[tuple[str, str], ...]:
    return tuple(
        (get_in(c, "name") or "", get_in(c, "image") or "")
        for c in as_list(get_in(obj, "spec", "template", "spec", "containers"))
    )


def _deployment_ref(rs: Obj) -> tuple[str | None, str | None] | None:
    """``(uid, name)`` of the first controller reference to a Deployment, as the controller reads it."""
    for ref in as_list(get_in(rs, "metadata", "ownerReferences")):
        if get_in(ref, "controller") is True and get_in(ref, "kind") == "Deployment":
            return get_in(ref, "uid"), get_in(ref, "name")
    return None


def rollouts(
    deployments: Iterable[Obj],
    replicasets: Iterable[Obj],
    now: datetime,
    within: timedelta,
) -> list[Rollout]:
    """Deployments whose newest ReplicaSet (by revision) was created within ``within``.

    Newest first. The "before" images are those of the ReplicaSet with the next lower
    revision (empty for a brand-new Deployment).
    """
    # ReplicaSets by namespace and controller uid / name: one pass instead of deployments × replicasets
    by_uid: dict[tuple[str, str], list[tuple[int, str | None, Obj]]] = {}
    by_name: dict[tuple[str, str | None], list[tuple[int, str | None, Obj]]] = {}
    for i, rs in enumerate(replicasets):
        try:
            ref = _deployment_ref(rs)
            if ref is None:
                continue
            ns = as_text(get_in(rs, "metadata", "namespace"), "metadata.namespace")
            ref_uid, ref_name = as_text(ref[0], "uid"), as_text(ref[1], "name")
        except Unreadable:
            continue  # a malformed ReplicaSet is no rollout's
        entry = (i, ref_uid, rs)
        if ref_uid:
            by_uid.setdefault((ns, ref_uid), []).append(entry)
        by_name.setdefault((ns, ref_name), []).append(entry)
    found: list[Rollout] = []
    for dep in deployments:
        try:
            rollout = _rollout(dep, by_uid, by_name, now, within)
        except Exception:  # noqa: BLE001 — a malformed Deployment or ReplicaSet costs its rollout, not the view
            continue
        if rollout is not None:
            found.append(rollout)
    found.sort(key=lambda r: (-r.at.timestamp(), r.namespace, r.deployment))
    return found


def _rollout(dep: Obj, by_uid: Mapping, by_name: Mapping, now: datetime, within: timedelta) -> Rollout | None:
    """The Deployment's newest revision when created within ``within``, else None."""
    namespace = as_text(get_in(dep, "metadata", "namespace"), "metadata.namespace")
    name = as_text(get_in(dep, "metadata", "name"), "metadata.name")
    dep_uid = get_in(dep, "metadata", "uid")
    named = by_name.get((namespace, name), [])
    if dep_uid:  # uids decide where both sides have one, names otherwise
        candidates = by_uid.get((namespace, dep_uid), []) + [e for e in named if not e[1]]
    else:
        candidates = named
    owned = []
    for _, _, rs in sorted(candidates, key=lambda e: e[0]):
        revision = _revision(rs)
        if revision is not None:
            owned.append((revision, rs))
    if not owned:
        return None
    owned.sort(key=lambda pair: pair[0])
    revision, newest = owned[-1]
    created = time_field(newest, "metadata", "creationTimestamp")
    if created is None or now - created > within:
        return None
    previous = owned[-2] if len(owned) > 1 else None
    return Rollout(
        namespace=namespace,
        deployment=name,
        revision=revision,
        replicaset=as_text(get_in(newest, "metadata", "name"), "metadata.name"),
        at=created,
        age=now - created,
        previous_revision=None if previous is None else previous[0],
        images_before=() if previous is None else _template_images(previous[1]),
        images_after=_template_images(newest),
    )


def aged_rollouts(found: Iterable[Rollout], now: datetime, within: timedelta) -> list[Rollout]:
    """``rollouts`` found earlier, at ``now``: equal to computing them again when no Deployment
    or ReplicaSet changed since (a storm of pod events changes neither)."""
    return [replace(r, age=now - r.at) for r in found if now - r.at <= within]

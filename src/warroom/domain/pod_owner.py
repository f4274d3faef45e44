"""Which workload controls a pod: its controller reference, seen through a Deployment's ReplicaSet.

Its own module because a pod's row (:mod:`warroom.domain.pod_status`) and the workload counts
(:mod:`warroom.domain.workloads`) must name the owner the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from warroom.domain.pod_fields import Obj, as_list, get_in

__all__ = [
    "POD_TEMPLATE_HASH_LABEL",
    "Owner",
    "pod_owner",
]


POD_TEMPLATE_HASH_LABEL = "pod-template-hash"

#: The alphabet of ``rand.SafeEncodeString`` that spells a pod-template-hash (no vowels,
#: no 0/1/3). A hash is the decimal FNV-32a of the template, so at most 10 characters.
_TEMPLATE_HASH = re.compile(r"^[bcdfghjklmnpqrstvwxz2456789]{6,10}$")


class Owner(NamedTuple):
    """The controlling workload of a pod: ``("Deployment", "web")``."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def pod_owner(pod: Obj) -> Owner | None:
    """The workload that controls the pod, seen through its ReplicaSet when there is one.

    Only the owner reference with ``controller: true`` counts. A ReplicaSet created by a
    Deployment is named ``<deployment>-<pod-template-hash>``; the pod carries the hash as
    its ``pod-template-hash`` label, which is stripped to give the Deployment. Without the
    label, a last name segment that can only be a template hash is stripped; otherwise the
    owner stays the ReplicaSet (one created by hand).
    """
    ref = next(
        (r for r in as_list(get_in(pod, "metadata", "ownerReferences")) if get_in(r, "controller") is True),
        None,
    )
    if ref is None:
        return None
    kind = get_in(ref, "kind") or ""
    name = get_in(ref, "name") or ""
    if kind != "ReplicaSet":
        return Owner(kind, name)
    template_hash = get_in(pod, "metadata", "labels", POD_TEMPLATE_HASH_LABEL)
    if template_hash:
        suffix = "-" + template_hash
        if name.endswith(suffix) and len(name) > len(suffix):
            return Owner("Deployment", name[: -len(suffix)])
        return Owner(kind, name)
    base, sep, last = name.rpartition("-")
    if sep and base and _TEMPLATE_HASH.match(last):
        return Owner("Deployment", base)
    return Owner(kind, name)

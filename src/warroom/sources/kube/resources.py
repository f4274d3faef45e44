"""The watched resources, and how their objects are kept.

Objects are kept as the API server's JSON (camelCase dicts, what
:mod:`warroom.domain.pod_status` reads): raw JSON rather than
``ApiClient.sanitize_for_serialization`` of models, for the cost of building models (see
:mod:`warroom.sources.kube.client`) and because no model round trip can drop or rename a field.
Two changes on ingest (:func:`clean`): items of a list response get the ``kind``/``apiVersion``
a watch event's object carries (so both look alike), and ``metadata.managedFields`` is dropped
(often half of an object's size; nothing reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

__all__ = [
    "KINDS",
    "Key",
    "Kind",
    "Obj",
    "clean",
    "object_key",
    "resource_version",
]


Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True)
class Kind:
    """One watched resource."""

    plural: str
    kind: str
    api_version: str
    #: the label selector of the target applies (not to events: they carry no such labels)
    labelled: bool = True
    #: a fixed field selector (Warning events only)
    field_selector: str | None = None

    @property
    def prefix(self) -> str:
        return "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"

    def path(self, namespace: str | None) -> str:
        if namespace:
            return f"{self.prefix}/namespaces/{quote(namespace, safe='')}/{self.plural}"
        return f"{self.prefix}/{self.plural}"


KINDS: tuple[Kind, ...] = (
    Kind("pods", "Pod", "v1"),
    Kind("deployments", "Deployment", "apps/v1"),
    Kind("replicasets", "ReplicaSet", "apps/v1"),
    Kind("statefulsets", "StatefulSet", "apps/v1"),
    Kind("daemonsets", "DaemonSet", "apps/v1"),
    Kind("events", "Event", "v1", labelled=False, field_selector="type=Warning"),
)


def clean(obj: Obj, kind: Kind) -> Obj:
    """The two changes on ingest (see the module's docstring), in place."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    if "kind" not in obj:
        obj["kind"] = kind.kind
        obj["apiVersion"] = kind.api_version
    return obj


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _part(value: Any) -> str:
    """A key part from whatever a malformed object holds there (its row says what is wrong)."""
    return value if isinstance(value, str) else "" if value is None else repr(value)


def object_key(obj: Obj) -> Key:
    """``(namespace, name)``, the uid when the name is missing; whatever the metadata holds."""
    meta = _meta(obj)
    return (_part(meta.get("namespace")), _part(meta.get("name")) or _part(meta.get("uid")))


def resource_version(obj: Obj) -> str | None:
    rv = _meta(obj).get("resourceVersion")
    return rv if isinstance(rv, str) else None

"""What a watcher reports when a cluster cannot be read: :class:`KubeError`, one short line each.

The messages are written for a pane: ``unauthorized: credentials expired or invalid for context
prod``; ``forbidden: needs get/list/watch on pods, events in namespace shop — RBAC (user alice)``;
``cannot reach https://10.0.0.1:6443: connection refused``; ``context 'foo' not found in
~/.kube/config (contexts: a, b)``; ``no kubeconfig: ~/.kube/config not found and not running in a
cluster``. :class:`Gone` and :class:`Dropped` are not problems to report but turns of the
reflector's protocol (re-list; reconnect).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from warroom.sources.kube.resources import KINDS, Kind

__all__ = [
    "Dropped",
    "ErrorKind",
    "Forbidden",
    "Gone",
    "KubeError",
    "merge_errors",
]


ErrorKind = Literal["config", "auth", "forbidden", "unreachable", "tls", "timeout", "http", "malformed"]


class KubeError(Exception):
    """A cluster could not be read; ``str()`` is a short message for a pane, ``kind`` its class."""

    def __init__(self, message: str, kind: ErrorKind, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status


class Gone(Exception):
    """410: the resourceVersion (or continue token) is too old — re-list."""


class Dropped(Exception):
    """The connection broke after the watch was established — reconnect, no report."""


class Forbidden(KubeError):
    """403 on one kind in one namespace (or cluster-wide); messages are merged per scope."""

    def __init__(self, kind: Kind, namespace: str | None, server_message: str) -> None:
        self.resource = kind
        self.namespace = namespace
        m = re.search(r'User "([^"]+)"', server_message)
        self.user = m.group(1) if m else None
        super().__init__(_forbidden_message([kind.plural], namespace, self.user), "forbidden", status=403)


def _forbidden_message(plurals: Iterable[str], namespace: str | None, user: str | None) -> str:
    where = f"in namespace {namespace}" if namespace else "cluster-wide (all namespaces)"
    who = f" (user {user})" if user else ""
    return f"forbidden: needs get/list/watch on {', '.join(plurals)} {where} — RBAC{who}"


def merge_errors(errors: Iterable[KubeError]) -> list[KubeError]:
    """One message per distinct problem, forbidden kinds merged per namespace, in a stable order."""
    out: list[KubeError] = []
    seen: set[str] = set()
    forbidden: dict[str | None, list[Forbidden]] = {}
    for e in errors:
        if isinstance(e, Forbidden):
            forbidden.setdefault(e.namespace, []).append(e)
            continue
        if e.message not in seen:
            seen.add(e.message)
            out.append(e)
    order = {k.plural: i for i, k in enumerate(KINDS)}
    for namespace, group in forbidden.items():
        plurals = sorted({e.resource.plural for e in group}, key=order.__getitem__)
        user = next((e.user for e in group if e.user), None)
        out.append(KubeError(_forbidden_message(plurals, namespace, user), "forbidden", status=403))
    return out

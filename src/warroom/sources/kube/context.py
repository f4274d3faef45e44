"""Which cluster a :class:`KubeTarget` means: a kubeconfig's context, or the in-cluster service account.

:func:`resolve_context` checks the kubeconfig and the context before the client loads them, so a
missing file or a misspelt context is a clear one-line :class:`KubeError` naming the contexts there
are, not the client's traceback. No cluster is contacted here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from warroom.sources.kube.errors import KubeError

__all__ = [
    "IN_CLUSTER",
    "KubeTarget",
    "ResolvedContext",
    "SERVICE_TOKEN",
    "resolve_context",
]


IN_CLUSTER = "in-cluster"
SERVICE_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


@dataclass(frozen=True)
class KubeTarget:
    """What one watcher watches.

    ``kubeconfig``: a path (or ``os.pathsep``-separated paths); None: ``$KUBECONFIG``, else
    ``~/.kube/config``, else the in-cluster service account. ``context``: None = the
    kubeconfig's current context. ``namespaces``: empty = all (cluster-wide watches), else one
    watch per kind and namespace. ``label_selector`` (``app=web,tier!=db``) applies to pods
    and workloads, not to events. ``resync``: seconds between full re-lists, 0 = never.
    """

    kubeconfig: str | Path | None = None
    context: str | None = None
    namespaces: Sequence[str] = ()
    label_selector: str | None = None
    resync: float = 600.0

    def __post_init__(self) -> None:
        namespaces = (self.namespaces,) if isinstance(self.namespaces, str) else tuple(self.namespaces)
        object.__setattr__(self, "namespaces", tuple(dict.fromkeys(n for n in namespaces if n)))
        if self.resync < 0 or math.isnan(self.resync):
            raise ValueError(f"resync must be ≥ 0 seconds, not {self.resync!r}")

    @property
    def label(self) -> str:
        """The context as the user named it (``current`` when left to the kubeconfig)."""
        return self.context or "current"


def _home(path: str | Path) -> str:
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text


@dataclass
class ResolvedContext:
    """Where a target's configuration comes from."""

    context: str  # the context name, or IN_CLUSTER
    config_file: str | None  # the kubeconfig path(s) as given to the loader; None in-cluster
    shown: str  # the kubeconfig as messages show it


def _kubeconfig_paths(target: KubeTarget) -> tuple[str, list[str], bool]:
    """(the path text, the paths, explicit?) by the standard resolution."""
    if target.kubeconfig is not None:
        text, explicit = str(target.kubeconfig), True
    else:
        text, explicit = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config"), False
    paths = [os.path.expanduser(p) for p in text.split(os.pathsep) if p]
    return text, paths, explicit


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and SERVICE_TOKEN.is_file()


def resolve_context(target: KubeTarget) -> ResolvedContext:
    """Check the kubeconfig and the context before the client loads them (blocking file reads; no
    cluster is contacted). Raises :class:`KubeError` saying what is missing."""
    text, paths, explicit = _kubeconfig_paths(target)
    existing = [p for p in paths if os.path.isfile(p)]
    shown = ", ".join(_home(p) for p in paths) or text
    if not existing:
        if not explicit and target.context is None and _in_cluster():
            return ResolvedContext(IN_CLUSTER, None, "in-cluster service account")
        if explicit:
            raise KubeError(f"kubeconfig {shown} not found", "config")
        raise KubeError(
            f"no kubeconfig: {shown} not found and not running in a cluster "
            "(set KUBECONFIG or pass a kubeconfig path)",
            "config",
        )

    import yaml  # PyYAML: a dependency of the kubernetes client

    contexts: list[str] = []
    current: str | None = None
    for path in existing:
        try:
            with open(path, encoding="utf-8") as fh:
                doc = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", None) or str(e).splitlines()[0]
            raise KubeError(f"kubeconfig {_home(path)} unreadable: {reason}", "config") from e
        if not isinstance(doc, dict):
            raise KubeError(f"kubeconfig {_home(path)} is not a kubeconfig (not a mapping)", "config")
        for ctx in doc.get("contexts") or []:
            name = ctx.get("name") if isinstance(ctx, dict) else None
            if isinstance(name, str) and name not in contexts:
                contexts.append(name)
        if doc.get("current-context"):
            current = str(doc["current-context"])  # the kubernetes client's merge: the last one wins
    shown = ", ".join(_home(p) for p in existing)
    listed = ", ".join(contexts) if contexts else "none"
    name = target.context if target.context is not None else current
    if name is None:
        raise KubeError(f"no current context in {shown} (contexts: {listed}); choose one", "config")
    if name not in contexts:
        which = "context" if target.context is not None else "current context"
        raise KubeError(f"{which} '{name}' not found in {shown} (contexts: {listed})", "config")
    return ResolvedContext(name, os.pathsep.join(existing), shown)

"""The configured sources, built one way for the screen's feeds and the headless watcher alike.
Each client is imported here when built (a screen builds them in a worker thread: off its start path)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.config import KubeConfig, PrometheusConfig
    from warroom.sources.kube.watcher import KubeWatcher
    from warroom.sources.prometheus import PrometheusSource


def prometheus_source(prom: PrometheusConfig) -> PrometheusSource:
    from warroom.sources.prometheus import PrometheusSource

    return PrometheusSource(prom.url, timeout=prom.timeout, bearer_token=prom.bearer_token,
                            basic_auth=prom.basic_auth, ca_file=prom.ca_file, verify=prom.verify)


def kube_watchers(kube: KubeConfig) -> list[KubeWatcher]:
    """One read-only watcher per configured context (not started)."""
    from warroom.sources.kube.context import KubeTarget
    from warroom.sources.kube.watcher import KubeWatcher

    return [KubeWatcher(KubeTarget(kubeconfig=kube.kubeconfig, context=context, namespaces=kube.namespaces,
                                   label_selector=kube.selector or None, resync=kube.resync))
            for context in kube.contexts]

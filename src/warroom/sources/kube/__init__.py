"""Kubernetes source: list + watch of pods, workloads and Warning events, one watcher per context.

Import from the module that holds a name; this package re-exports nothing, so importing it
costs nothing:

* :mod:`~warroom.sources.kube.context` — :class:`KubeTarget` (what to watch) and
  :func:`resolve_context`: the kubeconfig and its context, or the in-cluster service account;
* :mod:`~warroom.sources.kube.client` — the read-only API client (GET only) on
  ``kubernetes.aio``, imported lazily, in a worker thread;
* :mod:`~warroom.sources.kube.resources` — the watched kinds, and how their objects are kept;
* :mod:`~warroom.sources.kube.errors` — :class:`KubeError` and its one-line messages;
* :mod:`~warroom.sources.kube.reflector` — list, then watch from the resourceVersion, re-list
  on 410 Gone, back off and reconnect;
* :mod:`~warroom.sources.kube.snapshot` — :class:`KubeSnapshot`, what a watcher publishes, and
  its view for the pane;
* :mod:`~warroom.sources.kube.watcher` — :class:`KubeWatcher`, the objects of one context and
  the snapshots it publishes; :func:`snapshot_once` for ``warroom pods``.
"""

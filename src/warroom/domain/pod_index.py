"""The pod rows kept between snapshots, so that a change recomputes only the changed pods.

5,000 rows cost ~0.3 s; carried in a :class:`PodIndex` from one snapshot to the next, a few
changed pods cost ~0.1 ms (:func:`update_index`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from warroom.domain.pod_fields import Obj
from warroom.domain.pod_status import PodRow, pod_row, sort_rows
from warroom.domain.workloads import PodTally, count_row, tally

__all__ = [
    "EMPTY_INDEX",
    "Key",
    "PodIndex",
    "SortKey",
    "index_pods",
    "replaced_keys",
    "update_index",
]


Key = tuple[str, str]  # (namespace, name)
SortKey = tuple[bool, str, str]


def _sort_key(row: PodRow) -> SortKey:
    return (row.healthy, row.namespace, row.name)


@dataclass(frozen=True)
class PodIndex:
    """The rows of a set of pods, sorted as :func:`sort_rows` does, with their counts.

    Carried from one snapshot to the next so that only changed pods are recomputed
    (:func:`update_index`). ``sources`` holds the object each row was computed from: the
    watcher replaces an object when it changes, never mutates it, so identity tells an
    unchanged pod.
    """

    sources: Mapping[Key, Obj]
    by_key: Mapping[Key, PodRow]
    rows: tuple[PodRow, ...]
    sort_keys: tuple[SortKey, ...]
    tally: PodTally


EMPTY_INDEX = PodIndex({}, {}, (), (), PodTally({}, {}))


def index_pods(pods: Mapping[Key, Obj]) -> PodIndex:
    """Every pod's row, computed afresh."""
    rows = sort_rows(pod_row(obj) for obj in pods.values())
    return PodIndex(
        sources=dict(pods),
        by_key={r.key: r for r in rows},
        rows=tuple(rows),
        sort_keys=tuple(_sort_key(r) for r in rows),
        tally=tally(rows),
    )


def replaced_keys(index: PodIndex, pods: Mapping[Key, Obj]) -> list[Key]:
    """Keys of pods added, deleted or replaced since ``index`` (when the changes are not known)."""
    gone = [k for k in index.sources if k not in pods]
    return gone + [k for k, obj in pods.items() if index.sources.get(k) is not obj]


def update_index(index: PodIndex, pods: Mapping[Key, Obj], changed: Iterable[Key]) -> PodIndex:
    """``index`` brought up to ``pods``, recomputing only the rows of ``changed`` keys.

    ``changed`` must name every pod added, modified or deleted since ``index`` (more is
    harmless). Equal to :func:`index_pods` of ``pods``; costs O(changed · log n) row work
    plus copying the index (~0.1 ms for 5,000 pods) instead of ~50 µs per pod.
    """
    sources = dict(index.sources)
    by_key = dict(index.by_key)
    rows = list(index.rows)
    sort_keys = list(index.sort_keys)
    owners = dict(index.tally.owners)
    namespaces = dict(index.tally.namespaces)
    for key in changed:
        obj = pods.get(key)
        old = by_key.get(key)
        if old is not None:
            if obj is sources[key]:
                continue
            i = bisect_left(sort_keys, _sort_key(old))
            del sort_keys[i], rows[i], by_key[key], sources[key]
            count_row(owners, namespaces, old, -1)
        if obj is not None:
            row = pod_row(obj)
            k = _sort_key(row)
            i = bisect_left(sort_keys, k)
            sort_keys.insert(i, k)
            rows.insert(i, row)
            by_key[key] = row
            sources[key] = obj
            count_row(owners, namespaces, row, 1)
    return PodIndex(sources, by_key, tuple(rows), tuple(sort_keys), PodTally(owners, namespaces))

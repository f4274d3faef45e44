"""The incremental pod rows (``update_index``): after any sequence of changes, equal to computing every row afresh."""

from __future__ import annotations

import copy
from datetime import timedelta

from fixtures.podfixtures import (
    NOW,
    ago,
    daemonset_pod,
    deployment,
    deployment_pod,
    job_pod,
    last_terminated,
    pod,
    running,
    statefulset_pod,
    waiting,
)
from warroom.domain.pod_index import EMPTY_INDEX, index_pods, replaced_keys, update_index
from warroom.domain.pod_status import pod_row, sort_rows
from warroom.domain.workloads import summarize, workload_summary


def keyed(*objs: dict) -> dict:
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objs}


def start() -> dict:
    return keyed(
        deployment_pod("web", suffix="aaaaa", statuses=[running()]),
        deployment_pod("web", suffix="bbbbb", statuses=[running()]),
        deployment_pod("api", namespace="payments", statuses=[running()]),
        statefulset_pod("db", 0, statuses=[running("postgres")]),
        daemonset_pod(statuses=[running("node-exporter")]),
        job_pod(phase="Succeeded", statuses=[]),
    )


def crash(obj: dict, restarts: int, seconds_ago: int) -> dict:
    """The same pod, replaced (as a watch event replaces it): crash-looping since ``seconds_ago``."""
    new = copy.deepcopy(obj)
    new["status"]["containerStatuses"] = [waiting("CrashLoopBackOff", restarts=restarts,
                                                  last=last_terminated(ago(seconds=seconds_ago)))]
    new["status"]["conditions"] = [c for c in new["status"].get("conditions", []) if c["type"] != "Ready"]
    return new


def test_a_sequence_of_added_modified_deleted_equals_a_full_recompute() -> None:
    pods = start()
    index = index_pods(pods)
    assert index.rows == tuple(sort_rows(pod_row(p) for p in pods.values()))
    web_a, web_b = ("shop", "web-7d4b9c6f5-aaaaa"), ("shop", "web-7d4b9c6f5-bbbbb")
    api = ("payments", "api-7d4b9c6f5-x2x9k")
    new = deployment_pod("web", suffix="ccccc", statuses=[waiting("ContainerCreating")], phase="Pending")
    steps: list[tuple[str, dict]] = [
        ("MODIFIED: web-a crash-loops (moves to the top)", {web_a: crash(pods[web_a], 3, 30)}),
        ("ADDED: a pending pod", {("shop", new["metadata"]["name"]): new}),
        ("MODIFIED: web-a again, more restarts", {web_a: "crash 7"}),
        ("DELETED: the only pod of payments (its namespace and owner go)", {api: None}),
        ("MODIFIED + DELETED in one batch", {web_b: "crash 1", ("shop", "db-0"): None}),
        ("ADDED back under the same name", {api: deployment_pod("api", namespace="payments", statuses=[running()])}),
        ("DELETED everything", "all"),
    ]
    for what, changes in steps:
        if changes == "all":
            changes = dict.fromkeys(pods)
        for key, obj in changes.items():
            if obj is None:
                pods.pop(key, None)
            elif isinstance(obj, str):
                pods[key] = crash(pods[key], int(obj.split()[1]), 5)
            else:
                pods[key] = obj
        before = index
        index = update_index(index, pods, changes)
        assert index == index_pods(pods), what
        assert summarize(index.tally, [deployment("web", replicas=3)]) == workload_summary(
            index.rows, [deployment("web", replicas=3)]), what
        assert before != index, what  # the previous index is left as it was (pure)
    assert index == EMPTY_INDEX


def test_only_the_changed_pods_are_recomputed() -> None:
    pods = start()
    index = index_pods(pods)
    web_a = ("shop", "web-7d4b9c6f5-aaaaa")
    pods[web_a] = crash(pods[web_a], 1, 5)
    updated = update_index(index, pods, [web_a])
    unchanged = [k for k in pods if k != web_a]
    assert all(updated.by_key[k] is index.by_key[k] for k in unchanged)  # the very same row objects
    assert updated.by_key[web_a].status == "CrashLoopBackOff"
    # a key reported but its object not replaced (a re-list of an unchanged pod) costs nothing
    assert update_index(updated, pods, list(pods)).by_key[web_a] is updated.by_key[web_a]
    # not naming a changed pod leaves its old row: ``changed`` must be complete
    assert update_index(index, pods, []).by_key[web_a].status == "Running"


def test_replaced_keys_finds_added_deleted_and_replaced_objects() -> None:
    pods = start()
    index = index_pods(pods)
    web_a, db = ("shop", "web-7d4b9c6f5-aaaaa"), ("shop", "db-0")
    extra = pod("debug-shell", namespace="shop", statuses=[running()])
    pods = {**pods, web_a: crash(pods[web_a], 2, 5), ("shop", "debug-shell"): extra}
    del pods[db]
    keys = replaced_keys(index, pods)
    assert sorted(keys) == sorted([web_a, db, ("shop", "debug-shell")])
    assert update_index(index, pods, keys) == index_pods(pods)


def test_rows_hold_instants_so_ages_follow_the_clock() -> None:
    pods = start()
    web_a = ("shop", "web-7d4b9c6f5-aaaaa")
    index = index_pods(pods)
    pods[web_a] = crash(pods[web_a], 4, 45)  # last restart at NOW - 45 s
    index = update_index(index, pods, [web_a])
    row = index.by_key[web_a]
    db = index.by_key[("shop", "db-0")]  # an unchanged row, kept from the first index
    # the fixtures' pods were created 2d3h before NOW
    for later, restarts, age in [(timedelta(0), "4 (45s ago)", "2d3h"), (timedelta(minutes=5), "4 (5m45s ago)", "2d3h"),
                                 (timedelta(hours=3), "4 (3h ago)", "2d6h")]:
        now = NOW + later
        assert row.restarts_text_at(now) == restarts
        fresh = pod_row(pods[("shop", "db-0")])
        assert db.age_text_at(now) == fresh.age_text_at(now) == age

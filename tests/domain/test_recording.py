"""Recording readings as changes only, and folding them back into what was shown at any instant."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.recording import Record, Recorder, Timeline, evidence

from fixtures.support import T0

S = timedelta(seconds=1)


def test_only_changes_are_recorded_and_a_key_that_disappears_is_recorded_as_gone():
    rec = Recorder()
    first = rec.observe("metrics", {("panel", "errors"): {"v": 1}, ("panel", "p95"): {"v": 2}}, T0)
    assert sorted((r.key, r.value) for r in first) == [("errors", {"v": 1}), ("p95", {"v": 2})]
    assert rec.observe("metrics", {("panel", "errors"): {"v": 1}, ("panel", "p95"): {"v": 2}}, T0 + S) == []
    changed = rec.observe("metrics", {("panel", "errors"): {"v": 3}}, T0 + 2 * S)
    assert sorted((r.key, r.value) for r in changed) == [("errors", {"v": 3}), ("p95", None)]


def test_scopes_are_independent():
    rec = Recorder()
    rec.observe("pods\x1fa", {("pod", "a/x"): {"status": "Error"}}, T0)
    assert rec.observe("pods\x1fb", {("pod", "b/y"): {"status": "Pending"}}, T0) == [
        Record(T0, "pod", "b/y", {"status": "Pending"})]  # context a's pod is not "gone"


def test_the_timeline_gives_the_state_at_any_instant_between_readings():
    records = [Record(T0, "panel", "e", {"v": 1}), Record(T0 + 10 * S, "panel", "e", {"v": 5}),
               Record(T0 + 10 * S, "pod", "x", {"status": "CrashLoopBackOff"}), Record(T0 + 20 * S, "pod", "x", None)]
    for every in (1, 2, 1000):  # with and without keyframes
        tl = Timeline(records, every=every)
        assert tl.state_at(T0 - S) == {}
        assert tl.state_at(T0 + 5 * S) == {("panel", "e"): {"v": 1}}
        assert tl.state_at(T0 + 10 * S) == {("panel", "e"): {"v": 5}, ("pod", "x"): {"status": "CrashLoopBackOff"}}
        assert tl.state_at(T0 + 25 * S) == {("panel", "e"): {"v": 5}}
    assert Timeline(records).history("panel", "e", T0, T0 + 30 * S) == [(T0, {"v": 1}), (T0 + 10 * S, {"v": 5})]
    assert Timeline(records).span == (T0, T0 + 20 * S)


def test_evidence_reads_value_vs_baseline_and_counts_unhealthy_pods():
    state = {("panel", "Error ratio"): {"v": 0.12, "b": 0.004, "verdict": "CRIT", "unit": "ratio", "error": ""},
             ("pods", "prod"): {"namespaces": [["shop", 30, 2], ["db", 10, 1]], "errors": [], "synced": True},
             ("pods", "dr"): {"namespaces": [["shop", 10, 1]], "errors": [], "synced": True}}
    panels, unhealthy = evidence(state)
    assert panels == ["Error ratio 12.0 % vs 0.4 % (CRIT)"] and unhealthy == 4
    assert evidence({}) == ([], None)

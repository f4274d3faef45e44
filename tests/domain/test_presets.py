"""The bundled presets match POLICIES.md level by level (targets, cadence, escalation, checklists)."""

from __future__ import annotations

import pytest

from warroom.domain.policy import TARGETS, EscalationStep, PolicyError, Span
from warroom.domain.presets import DEFAULT_PRESET, P0, P1, PRESETS, SEV, preset


def mins(n: int) -> Span:
    return Span(n)


def hours(n: int) -> Span:
    return Span(n * 60)


def business_hours(n: int) -> Span:
    return Span(n * 60, "business_minutes")


def business_days(n: int) -> Span:
    return Span(n, "business_days")


WEEK = Span(7 * 24 * 60)

# (policy, level key, name, {target: span}, update every, [(after, condition, to), ...]) — POLICIES.md, verbatim.
EXPECTED = [
    ("sev", "SEV-1", "Critical", {"acknowledge": mins(5), "resolve": hours(1)}, mins(15),
     [(mins(5), "unacknowledged", "on-call manager"), (hours(2), "unresolved", "VP Engineering")]),
    ("sev", "SEV-2", "High", {"acknowledge": mins(15), "resolve": hours(4)}, mins(30),
     [(mins(15), "unidentified", "engineering manager"), (hours(4), "unresolved", "VP Engineering")]),
    ("sev", "SEV-3", "Medium", {"acknowledge": hours(1), "resolve": hours(8)}, mins(30), []),
    ("sev", "SEV-4", "Low", {"acknowledge": business_days(1), "resolve": business_days(5)}, None, []),
    ("p1", "P1", "Critical", {"acknowledge": mins(5), "respond": mins(10), "resolve": mins(45)}, mins(30),
     [(mins(10), "unacknowledged", "secondary on-call"), (mins(20), "unacknowledged", "engineering manager"),
      (mins(30), "unacknowledged", "director"), (mins(45), "unacknowledged", "VP Engineering")]),
    ("p1", "P2", "High", {"acknowledge": mins(15), "respond": mins(20), "resolve": hours(2)}, mins(60),
     [(hours(1), "unresolved", "engineering manager")]),
    ("p1", "P3", "Medium", {"acknowledge": hours(1), "respond": hours(2), "resolve": business_hours(8)},
     hours(24), []),
    ("p1", "P4", "Low", {"acknowledge": hours(24), "respond": hours(48), "resolve": business_days(5)}, None, []),
    ("p0", "P0", "Critical", {"respond": mins(5), "resolve": hours(1)}, mins(30),
     [(mins(15), "unresolved", "L2 team lead"), (mins(30), "unresolved", "L3 engineering manager"),
      (hours(1), "unresolved", "L4 CTO/VP")]),
    ("p0", "P1", "High", {"respond": mins(15), "resolve": hours(4)}, mins(30),
     [(mins(30), "unresolved", "L2 team lead"), (hours(2), "unresolved", "L3 engineering manager"),
      (hours(4), "unresolved", "L4 CTO/VP")]),
    ("p0", "P2", "Medium", {"respond": hours(1), "resolve": hours(24)}, mins(60),
     [(hours(2), "unresolved", "L2 team lead"), (hours(24), "unresolved", "L3 engineering manager")]),
    ("p0", "P3", "Low", {"respond": hours(4), "resolve": WEEK}, mins(60),
     [(hours(24), "unresolved", "L2 team lead"), (WEEK, "unresolved", "L3 engineering manager")]),
]

LEVEL_IDS = [f"{p}-{k}" for p, k, *_ in EXPECTED]

TARGET_ROWS = [
    (p, key, target, span) for p, key, _, targets, _, _ in EXPECTED for target, span in targets.items()
]
STEP_ROWS = [
    (p, key, i, after, condition, to)
    for p, key, _, _, _, steps in EXPECTED
    for i, (after, condition, to) in enumerate(steps)
]

# How POLICIES.md writes each span; str(Span) must read the same way.
SPAN_TEXT = [
    (mins(5), "5 min"), (mins(15), "15 min"), (mins(45), "45 min"), (hours(1), "1 h"), (hours(4), "4 h"),
    (hours(24), "24 h"), (hours(48), "48 h"), (WEEK, "1 week"), (business_days(1), "1 business day"),
    (business_days(5), "5 business days"), (business_hours(8), "8 business hours"),
]

SEED_004_SEV1_CHECKLIST = (
    "Declare incident in #incidents Slack channel",
    "Page all engineering leads",
    "Get incident commander + tech lead",
    "Send customer notification within 5 minutes",
    "Begin root cause investigation",
    "Executive team briefed",
    "Customer success team ready for support volume",
)


def test_presets_registry() -> None:
    assert list(PRESETS) == ["sev", "p1", "p0"]
    assert PRESETS["sev"] is SEV and PRESETS["p1"] is P1 and PRESETS["p0"] is P0
    assert DEFAULT_PRESET == "sev"
    assert preset("SEV") is SEV
    assert preset("p0") is P0


def test_unknown_preset_is_refused_with_the_known_ones() -> None:
    with pytest.raises(PolicyError, match=r"unknown policy preset 'sev5'.*sev, p1, p0"):
        preset("sev5")


@pytest.mark.parametrize(
    "name, keys",
    [("sev", ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]), ("p1", ["P1", "P2", "P3", "P4"]), ("p0", ["P0", "P1", "P2", "P3"])],
)
def test_levels_in_order_most_severe_first(name: str, keys: list[str]) -> None:
    policy = preset(name)
    assert [lvl.key for lvl in policy.levels] == keys
    assert [lvl.name for lvl in policy.levels] == ["Critical", "High", "Medium", "Low"]
    assert policy.default_level.key == keys[1]


@pytest.mark.parametrize("name, key, level_name, targets, update_every, steps", EXPECTED, ids=LEVEL_IDS)
def test_level_has_exactly_the_documented_targets(name, key, level_name, targets, update_every, steps) -> None:
    level = preset(name).level(key)
    assert level.key == key
    assert level.name == level_name
    assert level.label == f"{key} {level_name}"
    assert dict(level.targets) == targets
    # Targets are kept in the order an incident meets them.
    assert list(level.targets) == [t for t in TARGETS if t in targets]


@pytest.mark.parametrize("name, key, target, span", TARGET_ROWS,
                         ids=[f"{p}-{k}-{t}" for p, k, t, _ in TARGET_ROWS])
def test_target_span(name: str, key: str, target: str, span: Span) -> None:
    assert preset(name).level(key).targets[target] == span


def test_p0_has_no_acknowledge_target_and_sev_no_respond_target() -> None:
    assert all("acknowledge" not in lvl.targets for lvl in P0.levels)
    assert all("respond" not in lvl.targets for lvl in SEV.levels)
    assert all("mitigate" not in lvl.targets for p in PRESETS.values() for lvl in p.levels)


@pytest.mark.parametrize("name, key, level_name, targets, update_every, steps", EXPECTED, ids=LEVEL_IDS)
def test_update_cadence(name, key, level_name, targets, update_every, steps) -> None:
    assert preset(name).level(key).update_every == update_every


@pytest.mark.parametrize("name, key, level_name, targets, update_every, steps", EXPECTED, ids=LEVEL_IDS)
def test_escalation_ladder_length(name, key, level_name, targets, update_every, steps) -> None:
    assert len(preset(name).level(key).escalation) == len(steps)


@pytest.mark.parametrize("name, key, index, after, condition, to", STEP_ROWS,
                         ids=[f"{p}-{k}-step{i}" for p, k, i, *_ in STEP_ROWS])
def test_escalation_step(name: str, key: str, index: int, after: Span, condition: str, to: str) -> None:
    step = preset(name).level(key).escalation[index]
    assert step == EscalationStep(after, condition, to)
    assert step.after == after
    assert step.condition == condition
    assert step.to == to


@pytest.mark.parametrize("name, key, level_name, targets, update_every, steps", EXPECTED, ids=LEVEL_IDS)
def test_escalation_steps_are_in_time_order(name, key, level_name, targets, update_every, steps) -> None:
    afters = [s.after.amount for s in preset(name).level(key).escalation]
    assert afters == sorted(afters)


@pytest.mark.parametrize("span, text", SPAN_TEXT, ids=[t for _, t in SPAN_TEXT])
def test_spans_read_as_in_policies_md(span: Span, text: str) -> None:
    assert str(span) == text


def test_p3_update_is_daily_and_resolve_in_business_hours() -> None:
    p3 = P1.level("P3")
    assert p3.update_every == Span(1440)
    assert p3.targets["resolve"].business
    assert not p3.targets["respond"].business


def test_sev4_targets_are_business_days() -> None:
    sev4 = SEV.level("SEV-4")
    assert sev4.targets["acknowledge"].business and sev4.targets["resolve"].business
    assert sev4.update_every is None
    assert sev4.escalation == ()


@pytest.mark.parametrize("key", ["SEV-1", "SEV-2", "SEV-3", "SEV-4"])
def test_sev_levels_have_a_checklist(key: str) -> None:
    checklist = SEV.level(key).checklist
    assert len(checklist) >= 4
    assert all(isinstance(item, str) and item.strip() for item in checklist)


def test_sev1_checklist_is_seed_004s() -> None:
    assert SEV.level("SEV-1").checklist == SEED_004_SEV1_CHECKLIST


def test_every_preset_level_has_a_description_and_a_checklist() -> None:
    for policy in PRESETS.values():
        for lvl in policy.levels:
            assert lvl.description, lvl.label
            assert lvl.checklist, lvl.label


@pytest.mark.parametrize("text", ["SEV-1", "sev1", "Sev 1", "1", "sev-1", " SEV_1 ", "SEV1"])
def test_level_lookup_finds_sev1(text: str) -> None:
    level = SEV.level(text)
    assert level.key == "SEV-1"
    assert SEV.has_level(text)


@pytest.mark.parametrize("text, key", [("sev3", "SEV-3"), ("4", "SEV-4"), ("Sev 2", "SEV-2")])
def test_level_lookup_other_sev_levels(text: str, key: str) -> None:
    assert SEV.level(text).key == key


@pytest.mark.parametrize("text", ["P0", "p0", "0", "p 0"])
def test_level_lookup_p0(text: str) -> None:
    level = P0.level(text)
    assert level.key == "P0"
    assert level.name == "Critical"


def test_same_key_means_different_levels_in_different_presets() -> None:
    assert P1.level("P1").name == "Critical"
    assert P0.level("P1").name == "High"
    assert P0.level("1").key == "P1"


@pytest.mark.parametrize(
    "policy, text, known",
    [
        (SEV, "SEV-5", "SEV-1, SEV-2, SEV-3, SEV-4"),
        (SEV, "P1", "SEV-1, SEV-2, SEV-3, SEV-4"),
        (SEV, "critical", "SEV-1, SEV-2, SEV-3, SEV-4"),
        (SEV, "0", "SEV-1, SEV-2, SEV-3, SEV-4"),
        (SEV, "", "SEV-1, SEV-2, SEV-3, SEV-4"),
        (P1, "P0", "P1, P2, P3, P4"),
        (P0, "P4", "P0, P1, P2, P3"),
    ],
)
def test_unknown_level_names_the_known_levels(policy, text: str, known: str) -> None:
    with pytest.raises(PolicyError) as exc:
        policy.level(text)
    message = str(exc.value)
    assert repr(text) in message
    assert f"(levels: {known})" in message
    assert repr(policy.name) in message
    assert not policy.has_level(text)

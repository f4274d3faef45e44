"""Policies from parsed TOML/JSON: custom policies, overrides, errors with their path, round trips, spans."""

from __future__ import annotations

import re
from datetime import time

import pytest

from warroom.domain.business_hours import BusinessHours
from warroom.domain.policy import EscalationStep, Policy, PolicyError, Span, parse_span, policy_from_dict, with_timezone
from warroom.domain.presets import P0, P1, PRESETS, SEV

CUSTOM = {
    "name": "acme",
    "title": "ACME severities",
    "business_hours": {"start": "08:00", "end": "18:00", "days": [0, 1, 2, 3, 4, 5], "timezone": "Europe/Berlin"},
    "levels": [
        {
            "key": "CRIT",
            "name": "Critical",
            "description": "Everything is down",
            "targets": {"resolve": "2h", "acknowledge": "10m"},
            "update_every": "20m",
            "escalation": [
                {"after": "30m", "if": "unacknowledged", "to": "duty manager"},
                {"after": "1 h", "to": "CTO"},
            ],
            "checklist": ["Open a bridge", "Page the CTO"],
        },
        {"key": "LOW", "name": "Low", "targets": {"respond": "1 business day", "resolve": "3 business days"}},
    ],
}


def test_custom_policy() -> None:
    policy = policy_from_dict(CUSTOM)
    assert policy.name == "acme"
    assert policy.title == "ACME severities"
    assert policy.business_hours == BusinessHours(time(8), time(18), frozenset(range(6)), "Europe/Berlin")
    assert [lvl.key for lvl in policy.levels] == ["CRIT", "LOW"]
    crit = policy.level("crit")
    assert crit.name == "Critical"
    assert crit.description == "Everything is down"
    assert dict(crit.targets) == {"acknowledge": Span(10), "resolve": Span(120)}
    assert list(crit.targets) == ["acknowledge", "resolve"]  # canonical order, whatever the file's
    assert crit.update_every == Span(20)
    assert crit.escalation == (
        EscalationStep(Span(30), "unacknowledged", "duty manager"),
        EscalationStep(Span(60), "unresolved", "CTO"),  # the condition defaults to unresolved
    )
    assert crit.checklist == ("Open a bridge", "Page the CTO")
    low = policy.level("low")
    assert dict(low.targets) == {"respond": Span(1, "business_days"), "resolve": Span(3, "business_days")}
    assert low.update_every is None
    assert low.escalation == () and low.checklist == () and low.description == ""
    assert policy.default_level.key == "LOW"


def test_minimal_policy_defaults() -> None:
    policy = policy_from_dict({"name": "solo", "levels": [{"key": "ONLY"}]})
    assert policy.title == "solo"
    assert policy.business_hours == BusinessHours()
    assert policy.default_level.key == "ONLY"
    only = policy.level("only")
    assert only.name == "" and dict(only.targets) == {} and only.update_every is None


def test_override_one_level_of_a_preset_keeps_the_others() -> None:
    policy = policy_from_dict({"levels": [{"key": "SEV-1", "targets": {"resolve": "30m"}}]}, base=SEV)
    assert policy.name == "sev"
    assert policy.title == SEV.title
    assert policy.business_hours == SEV.business_hours
    assert policy.levels[1:] == SEV.levels[1:]
    sev1, base1 = policy.level("SEV-1"), SEV.level("SEV-1")
    assert dict(sev1.targets) == {"acknowledge": Span(5), "resolve": Span(30)}
    assert sev1.name == base1.name
    assert sev1.description == base1.description
    assert sev1.update_every == base1.update_every
    assert sev1.escalation == base1.escalation
    assert sev1.checklist == base1.checklist
    assert SEV.level("SEV-1").targets["resolve"] == Span(60)  # the preset is untouched


def test_override_matches_level_keys_loosely_and_keeps_the_order() -> None:
    policy = policy_from_dict({"levels": [{"key": "sev-3", "update_every": "15m"}]}, base=SEV)
    assert len(policy.levels) == 4
    assert policy.levels[2].update_every == Span(15)
    assert policy.levels[2].targets == SEV.levels[2].targets
    assert [lvl.name for lvl in policy.levels] == ["Critical", "High", "Medium", "Low"]


def test_override_can_remove_targets_cadence_and_replace_ladder() -> None:
    policy = policy_from_dict({"name": "mine", "levels": [{
        "key": "SEV-1", "targets": {"acknowledge": "-"}, "update_every": "",
        "escalation": [{"after": "10m", "if": "unidentified", "to": "director"}], "checklist": [],
    }]}, base=SEV)
    sev1 = policy.level("SEV-1")
    assert policy.name == "mine"
    assert dict(sev1.targets) == {"resolve": Span(60)}
    assert sev1.update_every is None
    assert sev1.escalation == (EscalationStep(Span(10), "unidentified", "director"),)
    assert sev1.checklist == ()


def test_override_adds_a_new_level_at_the_end() -> None:
    policy = policy_from_dict({"levels": [{"key": "SEV-5", "name": "Cosmetic", "targets": {"resolve": "1 week"}}]},
                              base=SEV)
    assert [lvl.key for lvl in policy.levels] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4", "SEV-5"]
    assert policy.level("5").targets["resolve"] == Span(10080)


def test_override_business_hours_partially() -> None:
    policy = policy_from_dict({"business_hours": {"timezone": "America/New_York"}}, base=P1)
    assert policy.business_hours == BusinessHours(timezone="America/New_York")
    assert policy.levels == P1.levels


def test_with_timezone() -> None:
    berlin = with_timezone(SEV, "Europe/Berlin")
    assert berlin.business_hours.timezone == "Europe/Berlin"
    assert berlin.business_hours.start == time(9)
    assert berlin.levels == SEV.levels
    assert SEV.business_hours.timezone == "UTC"


# -- errors name where --------------------------------------------------------------------

def lvl(**kw):
    return {"name": "x", "levels": [{"key": "A", **kw}]}


ERRORS = [
    ("bad span", lvl(targets={"resolve": "soon"}), "policy.levels[0].targets.resolve: not a duration: 'soon'"),
    ("zero span", lvl(targets={"resolve": "0m"}), "policy.levels[0].targets.resolve: duration must be positive"),
    ("negative int span", lvl(targets={"acknowledge": -5}),
     "policy.levels[0].targets.acknowledge: duration must be positive"),
    ("unknown target", lvl(targets={"fix": "5m"}), "policy.levels[0].targets: unknown target 'fix'"),
    ("targets not a table", lvl(targets=["5m"]), "policy.levels[0].targets: expected a table"),
    ("bad condition", lvl(escalation=[{"after": "5m", "if": "unhappy", "to": "boss"}]),
     "policy.levels[0].escalation[0].if: 'unhappy' is not one of unacknowledged, unidentified, unresolved"),
    ("bad escalation span", lvl(escalation=[{"after": "5m", "to": "a"}, {"after": "later", "to": "b"}]),
     "policy.levels[0].escalation[1].after: not a duration"),
    ("escalation without to", lvl(escalation=[{"after": "5m"}]), "policy.levels[0].escalation[0]: expected"),
    ("escalation not a list", lvl(escalation={"after": "5m"}), "policy.levels[0].escalation: expected an array"),
    ("escalation to not text", lvl(escalation=[{"after": "5m", "to": 3}]),
     "policy.levels[0].escalation[0].to: expected a string"),
    ("bad update_every", lvl(update_every="often"), "policy.levels[0].update_every: not a duration"),
    ("bad checklist", lvl(checklist=["ok", 3]), "policy.levels[0].checklist: expected an array of strings"),
    ("name not text", lvl(name=5), "policy.levels[0].name: expected a string"),
    ("missing key", {"name": "x", "levels": [{"name": "A"}]}, "policy.levels[0]: 'key' is required"),
    ("level not a table", {"name": "x", "levels": ["A"]}, "policy.levels[0]: expected a table"),
    ("levels not a list", {"name": "x", "levels": {"key": "A"}}, "policy.levels: expected an array of tables"),
    ("no levels", {"name": "x"}, "policy: a policy needs at least one level"),
    ("no name", {"levels": [{"key": "A"}]}, "policy: 'name' is required"),
    ("not a table", ["x"], "policy: expected a table"),
    ("unknown timezone", {**lvl(), "business_hours": {"timezone": "Mars/Olympus"}}, "policy.business_hours: "),
    ("hours reversed", {**lvl(), "business_hours": {"start": "17:00", "end": "09:00"}}, "policy.business_hours: "),
    ("bad clock", {**lvl(), "business_hours": {"start": "nine"}}, "policy.business_hours: "),
    ("bad day", {**lvl(), "business_hours": {"days": [0, 7]}}, "policy.business_hours: days are 0 (Monday)"),
    ("business hours not a table", {**lvl(), "business_hours": "9-5"}, "policy.business_hours: expected a table"),
    # issue #20: a target of 99999999999999d was accepted, then every export overflowed
    ("huge target", lvl(targets={"acknowledge": "99999999999999d"}),
     "policy.levels[0].targets.acknowledge: duration too long: '99999999999999d' (at most 3653 days)"),
    ("huge minutes", lvl(targets={"resolve": 10**20}), "policy.levels[0].targets.resolve: duration too long"),
    ("huge business days", lvl(targets={"resolve": "3654 business days"}),
     "policy.levels[0].targets.resolve: duration too long"),
    ("5000 digits", lvl(update_every="9" * 5000 + "m"), "policy.levels[0].update_every: duration too long"),
    ("span not text", lvl(update_every=1.5), "policy.levels[0].update_every: not a duration: 1.5"),
]


@pytest.mark.parametrize("label, data, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_the_path(label: str, data, message: str) -> None:
    with pytest.raises(PolicyError, match="^" + re.escape(message)):
        policy_from_dict(data)


def test_second_level_errors_name_their_index() -> None:
    data = {"name": "x", "levels": [{"key": "A"}, {"key": "B", "targets": {"resolve": "1 fortnight"}}]}
    with pytest.raises(PolicyError, match=re.escape("policy.levels[1].targets.resolve: not a duration")):
        policy_from_dict(data)


def test_unknown_timezone_names_the_zone() -> None:
    with pytest.raises(PolicyError) as exc:
        policy_from_dict({**lvl(), "business_hours": {"timezone": "Mars/Olympus"}})
    assert "Mars/Olympus" in str(exc.value)


def test_where_prefixes_the_path() -> None:
    with pytest.raises(PolicyError, match=re.escape("acme.toml.levels[0].targets.resolve")):
        policy_from_dict(lvl(targets={"resolve": "soon"}), where="acme.toml")


def test_errors_in_an_override_name_the_path() -> None:
    with pytest.raises(PolicyError, match=re.escape("policy.levels[0].targets.respond: not a duration")):
        policy_from_dict({"levels": [{"key": "SEV-2", "targets": {"respond": "asap"}}]}, base=SEV)


# -- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_round_trip_exactly(name: str) -> None:
    policy = PRESETS[name]
    restored = policy_from_dict(policy.to_dict())
    assert restored == policy
    assert restored.to_dict() == policy.to_dict()
    for a, b in zip(restored.levels, policy.levels, strict=True):
        assert a == b
        assert list(a.targets) == list(b.targets)


def test_custom_and_retimed_policies_round_trip() -> None:
    for policy in (policy_from_dict(CUSTOM), with_timezone(P0, "Asia/Tokyo")):
        assert policy_from_dict(policy.to_dict()) == policy


def test_round_trip_is_not_vacuous() -> None:
    data = SEV.to_dict()
    data["levels"][0]["targets"]["resolve"] = "61m"
    assert policy_from_dict(data) != SEV


def test_to_dict_shape() -> None:
    data = SEV.to_dict()
    assert data["name"] == "sev"
    assert data["business_hours"] == {"start": "09:00", "end": "17:00", "days": [0, 1, 2, 3, 4], "timezone": "UTC"}
    sev1 = data["levels"][0]
    assert sev1["targets"] == {"acknowledge": "5m", "resolve": "60m"}
    assert sev1["update_every"] == "15m"
    assert sev1["escalation"][0] == {"after": "5m", "if": "unacknowledged", "to": "on-call manager"}
    sev4 = data["levels"][3]
    assert sev4["targets"] == {"acknowledge": "1 business day", "resolve": "5 business days"}
    assert sev4["update_every"] is None


# -- parse_span -----------------------------------------------------------------------------

SPANS = [
    ("5m", Span(5)),
    ("1 h", Span(60)),
    ("8 business hours", Span(480, "business_minutes")),
    ("5 business days", Span(5, "business_days")),
    ("1 business day", Span(1, "business_days")),
    ("1 week", Span(10080)),
    ("daily", Span(1440)),
    ("Daily", Span(1440)),
    ("hourly", Span(60)),
    (15, Span(15)),
    ("90 min", Span(90)),
    ("2 hrs", Span(120)),
    ("4H", Span(240)),
    (" 30 minutes ", Span(30)),
    ("2d", Span(2880)),
    ("3 days", Span(4320)),
    ("2w", Span(20160)),
    ("1 business week", Span(5, "business_days")),
    ("30 business minutes", Span(30, "business_minutes")),
    ("1 Business Hour", Span(60, "business_minutes")),
]


@pytest.mark.parametrize("text, span", SPANS, ids=[repr(s[0]) for s in SPANS])
def test_parse_span(text, span: Span) -> None:
    assert parse_span(text) == span


@pytest.mark.parametrize(
    "text", ["", "soon", "5", "1.5h", "5 fortnights", "m5", "-5m", "business 5h", "0m", 0, -5, True]
)
def test_parse_span_refuses(text) -> None:
    with pytest.raises(PolicyError):
        parse_span(text)


def test_parse_span_refusal_suggests_forms() -> None:
    hint = "(try '15m', '4h', '8 business hours', '5 business days', '1 week')"
    with pytest.raises(PolicyError, match=re.escape(hint)):
        parse_span("soon")


@pytest.mark.parametrize(
    "span",
    [Span(5), Span(60), Span(90), Span(1440), Span(10080), Span(480, "business_minutes"),
     Span(45, "business_minutes"), Span(1, "business_days"), Span(5, "business_days")],
    ids=str,
)
def test_to_text_reads_back(span: Span) -> None:
    assert parse_span(span.to_text()) == span


@pytest.mark.parametrize(
    "span, text",
    [(Span(90), "90 min"), (Span(120), "2 h"), (Span(20160), "2 weeks"), (Span(60, "business_minutes"),
     "1 business hour"), (Span(45, "business_minutes"), "45 business min"), (Span(2, "business_days"),
     "2 business days")],
)
def test_span_str(span: Span, text: str) -> None:
    assert str(span) == text


def test_policy_is_a_plain_value() -> None:
    assert isinstance(policy_from_dict(CUSTOM), Policy)
    assert policy_from_dict(CUSTOM) == policy_from_dict(CUSTOM)


def test_override_keeps_the_preset_key_spelling() -> None:
    p = policy_from_dict({"levels": [{"key": "sev1", "targets": {"acknowledge": "2m"}}]}, base=SEV)
    assert [lvl.key for lvl in p.levels] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
    assert p.level("SEV-1").targets["acknowledge"] == parse_span("2m")


def test_unknown_timezone_message_is_clean() -> None:
    with pytest.raises(PolicyError) as err:
        policy_from_dict({"name": "x", "levels": [{"key": "A"}], "business_hours": {"timezone": "Mars/Olympus"}})
    assert str(err.value) == ("policy.business_hours: unknown timezone 'Mars/Olympus' "
                              "(use an IANA name like Europe/Berlin)")

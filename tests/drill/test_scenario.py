"""The scenario file: the bundled ones parse, and every mistake names the file, the line and the problem."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.drill.library import BUNDLED, bundled_names, load
from warroom.drill.scenario import ScenarioError, line_of, parse_scenario

M = timedelta(minutes=1)

MINIMAL = """\
title = "Checkout is slow"
severity = "SEV-2"

[[panels]]
title = "p95"
unit = "seconds"
normal = 0.2

[[workloads]]
name = "checkout"
namespace = "shop"
image = "checkout:1"

[[events]]
at = "1m"
do = "metric"
panel = "p95"
to = 2.0
over = "2m"
"""


def test_the_three_bundled_scenarios_parse_with_a_mitigation_and_expectations():
    assert bundled_names() == ["bad-deploy", "db-pool", "payment-processor"]
    for name in bundled_names():
        scenario, text = load(name)
        assert scenario.name == name and text == (BUNDLED / f"{name}.toml").read_text()
        assert scenario.panels and scenario.workloads and scenario.probes
        assert scenario.mitigation is not None and scenario.mitigation.events
        assert scenario.expect.acknowledge is not None and scenario.expect.updates
        assert any(e.do == "inject" for e in scenario.events)
        assert scenario.events == tuple(sorted(scenario.events, key=lambda e: e.at))


def test_a_minimal_scenario_gets_defaults():
    s = parse_scenario(MINIMAL, "mine.toml", name="mine")
    assert (s.name, s.title, s.severity, s.policy, s.duration, s.detected) == (
        "mine", "Checkout is slow", "SEV-2", "sev", 30 * M, timedelta(0))
    assert s.panels[0].panel.query == "drill: p95" and s.panels[0].noise == 0.05
    assert s.workloads[0].replicas == 3 and s.workloads[0].kind == "Deployment"
    e = s.events[0]
    assert (e.do, e.at, e.panel, e.to, e.over, e.line) == ("metric", M, "p95", 2.0, 2 * M, 14)


def test_a_name_is_derived_from_the_title_when_none_is_given():
    assert parse_scenario(MINIMAL).name == "checkout-is-slow"


def _replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_replace('over = "2m"', 'over = "2 minutes"'),
         "bad.toml:19: events[0].over: not a duration: '2 minutes' (use 30s, 5m, 1h30m)"),
        (_replace('panel = "p95"', 'panel = "p99"'), "bad.toml:17: events[0].panel: no panel titled 'p99'"),
        (_replace('do = "metric"', 'do = "explode"'), "bad.toml:16: events[0].do: unknown event 'explode'"),
        (_replace('unit = "seconds"', 'unit = "seconds"\ncolour = "red"'), "bad.toml:7: panels[0].colour: unknown key"),
        (_replace('normal = 0.2', 'normal = "low"'), "bad.toml:7: panels[0].normal: expected a number, got 'low'"),
        (_replace('title = "Checkout is slow"\n', ''), "bad.toml: missing 'title'"),
        (_replace('severity = "SEV-2"', 'severity = "SEV-9"'), "bad.toml:2: severity: "),
        (_replace('severity = "SEV-2"', 'severity = "SEV-2"\ndetected = "5m"'),
         "bad.toml:3: detected: detection cannot come after the start"),
        (_replace('to = 2.0', 'to = 2.0\nstatus = "Running"'), "bad.toml:19: events[0].status: unknown key"),
        (_replace('image = "checkout:1"', 'image = "checkout:1"\nreplicas = 0'),
         "bad.toml:13: workloads[0].replicas: expected a whole number from 1 to 1000, got 0"),
        (MINIMAL + '\n[[events]]\nat = "2m"\ndo = "pods"\nworkload = "checkout"\nstatus = "Sad"\n',
         "bad.toml:25: events[1].status: unknown pod status 'Sad'"),
        (MINIMAL + '\n[[events]]\nat = "2m"\ndo = "pods"\nworkload = "cart"\nstatus = "Running"\n',
         "bad.toml:24: events[1].workload: no workload named 'cart'"),
        (MINIMAL + '\n[[events]]\nat = "2m"\ndo = "alert"\n', "bad.toml:21: events[1]: an 'alert' event needs 'name'"),
        (MINIMAL + '\n[mitigation]\ndescription = "x"\nmatch = []\n',
         "bad.toml:23: mitigation.match: expected a non-empty list of phrases"),
        (MINIMAL + '\n[mitigation]\ndescription = "x"\nmatch = ["a"]\n\n[[mitigation.events]]\nat = "1m"\n'
                   'do = "inject"\ntext = "t"\n', "bad.toml:26: mitigation.events[0].at: unknown key (expected one of: after, do, text)"),
        (MINIMAL + '\n[expect]\nacknowledge = 5\n', "bad.toml:22: expect.acknowledge: expected a duration string"),
        ('title = "x"\n[[panels]\n', "bad.toml:2: invalid TOML"),
        # issue #20: unbounded numbers (100,000,000 replicas took 2.4 GB; huge offsets overflowed)
        (_replace('image = "checkout:1"', 'image = "checkout:1"\nreplicas = 100000000'),
         "bad.toml:13: workloads[0].replicas: expected a whole number from 1 to 1000, got 100000000"),
        (_replace('to = 2.0', 'to = nan'), "bad.toml:18: events[0].to: expected a finite number"),
        (_replace('normal = 0.2', 'normal = -inf'), "bad.toml:7: panels[0].normal: expected a finite number"),
        (_replace('at = "1m"', 'at = "99999999999d"'), "bad.toml:15: events[0].at: too long: '99999999999d'"),
        (_replace('severity = "SEV-2"', 'severity = "SEV-2"\nduration = "31d"'), "bad.toml:3: duration: too long"),
        (MINIMAL + '\n[[events]]\nat = "2m"\ndo = "scale"\nworkload = "checkout"\nreplicas = 5000\n',
         "bad.toml:25: events[1].replicas: expected a whole number from 0 to 1000, got 5000"),
    ],
)
def test_schema_errors_name_the_file_the_line_and_the_problem(text, expected):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "bad.toml")
    assert str(err.value).startswith(expected), str(err.value)


def test_a_missing_file_says_which_scenarios_exist(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario .*bundled: bad-deploy, db-pool, payment-processor"):
        load(str(tmp_path / "nope.toml"))


def test_line_of_finds_keys_in_the_nth_table_and_falls_back_to_the_header():
    text = 'title = "t"\n[[events]]\nat = "1m"\n\n[[events]]\ndo = "x"\nat = "2m"\n[expect]\nresolve = "1h"\n'
    assert line_of(text, ["title"]) == 1
    assert line_of(text, ["events", 1, "at"]) == 7
    assert line_of(text, ["events", 0, "do"]) == 2  # absent: the table's header
    assert line_of(text, ["expect", "resolve"]) == 9
    assert line_of(text, ["expect"]) == 8
    assert line_of(text, ["nothing", 3, "x"]) == 0

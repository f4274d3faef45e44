"""The config file and its environment overrides; errors name the file and key; secrets stay hidden."""

from __future__ import annotations

import pytest

from warroom.config import ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_no_file_means_defaults(tmp_path):
    config = load_config(tmp_path / "missing.toml", {})
    assert config.prometheus is None and config.kubernetes is None and config.policy == "sev"


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", {}, explicit=True)


def test_env_url_gives_default_panels(tmp_path):
    config = load_config(None, {"WARROOM_PROMETHEUS_URL": "http://prom:9090/"})
    assert config.prometheus.url == "http://prom:9090"
    assert config.prometheus.default_panels and [p.title for p in config.prometheus.panels] == [
        "Error ratio", "p95 latency", "Request rate"]


def test_full_file(tmp_path):
    path = write(tmp_path, '''
policy = "p1"
timezone = "Europe/Berlin"
[prometheus]
url = "https://prom.example"
bearer_token_env = "PROM_TOKEN"
refresh = 10
[[prometheus.panels]]
title = "Errors"
query = "sum(rate(x[5m]))"
unit = "ratio"
baseline = "offset 7d"
crit_ratio = 5
[[probes]]
name = "api"
url = "https://api.example/health"
[kubernetes]
contexts = ["eu", "us"]
namespaces = ["payments"]
''')
    config = load_config(path, {"PROM_TOKEN": "s3cret"})
    assert config.policy == "p1" and config.timezone == "Europe/Berlin"
    assert config.prometheus.bearer_token == "s3cret" and config.prometheus.refresh == 10
    assert [p.title for p in config.prometheus.panels] == ["Errors"] and not config.prometheus.default_panels
    assert config.probes[0].name == "api"
    assert config.kubernetes.contexts == ("eu", "us") and config.kubernetes.namespaces == ("payments",)
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[prometheus\nurl=", {}, "config.toml: Expected ']'"),
        ("bogus = 1", {}, "unknown key 'bogus'"),
        ('[prometheus]\nurl = "prom:9090"', {}, "url must start with http"),
        ('[prometheus]\nurl = "http://p"\ntoken = "abc"', {}, "unknown key 'token' (tokens come from"),
        ('[prometheus]\nurl = "http://p"\nbearer_token_env = "NOPE"', {}, "$NOPE, which is not set"),
        ('[prometheus]\nurl = "http://p"\nbasic_auth = { username = "u", password = "p" }', {},
         "never a literal password"),
        ('[prometheus]\nurl = "http://p"\ntimeout = -1', {}, "timeout must be a positive number"),
        ('[prometheus]\nurl = "http://p"\n[[prometheus.panels]]\ntitle = "x"\nquery = "y"\nunit = "secnds"', {},
         "prometheus.panels[0] ('x').unit"),
        ('timezone = "Mars/Olympus"', {}, "unknown timezone 'Mars/Olympus'"),
        ('[[probes]]\nname = "x"', {}, "probes[0]: needs a url"),
        ('[kubernetes]\nnamespaces = "payments"', {}, "namespaces must be a list of strings"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, text, env, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, env)
    assert message in str(err.value) and str(path) in str(err.value)


def test_env_overrides_kube(tmp_path):
    config = load_config(None, {"WARROOM_KUBE_CONTEXT": "a,b", "WARROOM_KUBE_NAMESPACES": "x, y"})
    assert config.kubernetes.contexts == ("a", "b") and config.kubernetes.namespaces == ("x", "y")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[prometheus]\nurl = "http://p"\ninsecure_skip_verify = "false"',
         "prometheus: insecure_skip_verify must be true or false (a TOML boolean, unquoted), got the string 'false'"),
        ('[prometheus]\nurl = "http://p"\ninsecure_skip_verify = 0', "insecure_skip_verify must be true or false"),
        ('[prometheus]\nurl = "http://p"\nrefresh = inf', "refresh must be a positive number of seconds up to 86400"),
        ('[prometheus]\nurl = "http://p"\nsparkline_minutes = 1e9', "sparkline_minutes must be a whole number from 1"),
        ('[prometheus]\nurl = "http://p"\nbasic_auth = { username = 1, password_env = "X" }',
         "basic_auth: username must be a string, got the integer 1"),
        ('[prometheus]\nurl = "http://p"\nbearer_token_env = 0', "bearer_token_env must be a string, got the integer 0"),
        ('[comms]\nwebhook_url_env = false', "webhook_url_env must be a string, got the boolean False"),
        ('[[probes]]\nurl = "http://p"\ninterval = nan', "probes[0]: interval must be a positive number of seconds"),
        ('[[probes]]\nurl = "http://p"\nexpect_status = true', "expect_status must be a whole number from 100 to 599"),
        ('[[probes]]\nurl = "http://p"\ntimout = 3', "probes[0]: unknown key 'timout'"),
        ('[kubernetes]\nrollout_hours = 1e308', "rollout_hours must be a positive number of hours"),
        ("kubernetes = 0", "kubernetes: expected a table"),
    ],
)
def test_types_are_strict_with_no_truthiness(tmp_path, text, message):
    """Issue #20: ``insecure_skip_verify = "false"`` was truthy and turned certificate checks off."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path, {"X": "pw"})
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_webhook_kinds_and_audiences(tmp_path):
    from warroom.config import Webhook

    path = write(tmp_path, """
[comms]
webhook_url_env = "MM_URL"
webhook_kind = "mattermost"
webhooks = [{ url_env = "DISCORD_URL" }, { url_file = "%s", kind = "googlechat" }]

[[comms.audiences]]
name = "executive"
template = "executive"
every = { "SEV-1" = "30m", "SEV-2" = "1h" }
webhooks = [{ url_env = "TEAMS_URL", kind = "ms-teams" }]
""" % (tmp_path / "gchat.url"))
    (tmp_path / "gchat.url").write_text("https://chat.googleapis.com/v1/spaces/S/messages?key=k\n")
    env = {"MM_URL": "https://mm.example/hooks/abc", "DISCORD_URL": "https://discord.com/api/webhooks/1/x",
           "TEAMS_URL": "https://prod.westeurope.logic.azure.com/workflows/1",
           "WARROOM_WEBHOOK_URL": "json+https://ops.example/in"}
    comms = load_config(path, env).comms
    assert [(w.kind, w.url) for w in comms.targets()] == [
        ("json", "https://ops.example/in"), ("mattermost", "https://mm.example/hooks/abc"),
        ("discord", "https://discord.com/api/webhooks/1/x"),
        ("googlechat", "https://chat.googleapis.com/v1/spaces/S/messages?key=k")]
    [executive] = comms.audiences
    assert executive.audience.name == "executive" and executive.audience.template == "executive"
    assert {k: str(v) for k, v in executive.audience.every.items()} == {"SEV-1": "30 min", "SEV-2": "1 h"}
    assert executive.webhooks == (Webhook("https://prod.westeurope.logic.azure.com/workflows/1", "teams"),)
    assert "logic.azure" not in repr(comms)  # URLs are secrets


@pytest.mark.parametrize("text, env, message", [
    ('[comms]\nwebhook_kind = "irc"', {}, "comms: unknown webhook kind 'irc' (kinds: slack, mattermost, teams,"),
    ('[comms]\nwebhook_url_env = "U"', {"U": "irc+https://x.example/"}, "comms: unknown webhook kind 'irc'"),
    ('[comms]\nwebhooks = [{ url = "https://x" }]', {}, "unknown key 'url' (webhook URLs are secrets"),
    ('[comms]\nwebhooks = [{ url_env = "NOPE" }]', {}, "comms.webhooks[0]: url_env names $NOPE, which is not set"),
    ('[comms]\nwebhooks = [{ kind = "teams" }]', {}, "comms.webhooks[0]: needs url_env or url_file"),
    ('[[comms.audiences]]\nname = "Exec Team"', {}, "comms.audiences[0]: name must be new, lowercase"),
    ('[[comms.audiences]]\nname = "responders"', {}, "(not 'responders')"),
    ('[[comms.audiences]]\nname = "x"\nevery = { "SEV-1" = "soon" }', {}, "audiences[0]: every.SEV-1: not a duration"),
    ('[[comms.audiences]]\nname = "x"\nwebhooks = [{ url_env = "U", kind = "fax" }]', {"U": "https://x.example/"},
     "audiences[0].webhooks[0]: unknown webhook kind 'fax'"),
])
def test_a_broken_webhook_config_is_one_line(tmp_path, text, env, message):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env)
    assert message in str(err.value) and "\n" not in str(err.value)

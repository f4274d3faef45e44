"""The [alertmanager] table: the API URL, the receiver (listen, token from env/file, limits) and routing;
a broken one is one line naming the key, and the token is never in the config's repr."""

from __future__ import annotations

import pytest

from warroom.config import ConfigError, load_config


def load(tmp_path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, env or {}, explicit=True)


def test_full_table(tmp_path):
    secret = tmp_path / "token"
    secret.write_text("tok-from-file\n")
    config = load(tmp_path, f"""
[alertmanager]
url = "http://am:9093/"
[alertmanager.receiver]
listen = "127.0.0.1:9999"
token_file = "{secret}"
max_body = 2048
unmatched = "declare"
severity_map = {{ Critical = "SEV-1", warning = "SEV-3" }}
[[alertmanager.routes]]
match = ['team=~"pay.*"', 'env!="staging"']
service = "checkout"
[[alertmanager.routes]]
active = true
""")
    am = config.alertmanager
    assert am.url == "http://am:9093" and am.receiver.listen == "127.0.0.1:9999" and am.receiver.max_body == 2048
    assert am.receiver.token == "tok-from-file" and "tok-from-file" not in repr(config)
    routing = am.receiver.routing
    assert routing.unmatched == "declare" and dict(routing.severity_map) == {"critical": "SEV-1", "warning": "SEV-3"}
    assert [str(m) for m in routing.routes[0].matchers] == ['team=~"pay.*"', 'env!="staging"']
    assert routing.routes[1].active


def test_env_gives_url_and_token_and_no_table_means_none(tmp_path):
    assert load(tmp_path, "").alertmanager is None
    am = load(tmp_path, "", {"WARROOM_ALERTMANAGER_URL": "http://a:9093", "WARROOM_RECEIVER_TOKEN": "t"}).alertmanager
    assert am.url == "http://a:9093" and am.receiver.token == "t"
    assert am.receiver.routing.routes[0].service_label == "service"  # the default route


@pytest.mark.parametrize("text, message", [
    ('alertmanager = 1', "expected a table"),
    ('[alertmanager]\nurl = "am:9093"', "url must start with http://"),
    ('[alertmanager]\ntoken = "x"', "unknown key 'token' (tokens come from"),
    ('[alertmanager.receiver]\ntoken = "inline"', "the token comes from token_env or token_file: never inline"),
    ('[alertmanager.receiver]\ntoken_env = "NOPE"', "token_env names $NOPE, which is not set"),
    ('[alertmanager.receiver]\nlisten = "9095"', "listen must be HOST:PORT"),
    ('[alertmanager.receiver]\nunmatched = "page"', "unmatched must be one of nothing, notice, declare"),
    ('[alertmanager.receiver]\nmax_body = 10', "max_body must be a whole number from 1024"),
    ('[[alertmanager.routes]]\nmatch = ["team"]\nservice = "x"', "routes[0]: not a label matcher"),
    ('[[alertmanager.routes]]\nmatch = [\'a=~"("\']\nservice = "x"', "not a regular expression"),
    ('[[alertmanager.routes]]\nservice = "x"\nactive = true', "give one of service, service_label or active"),
    ('[[alertmanager.routes]]\nteam = "x"', "unknown key 'team'"),
])
def test_broken_config_is_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as exc:
        load(tmp_path, text)
    assert message in str(exc.value) and "\n" not in str(exc.value) and "inline\"" not in str(exc.value)

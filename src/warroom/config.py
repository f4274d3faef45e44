"""The configuration file: one TOML file, plus environment overrides.

Resolution: ``--config FILE``, else ``$WARROOM_CONFIG``, else ``<user config dir>/warroom/config.toml``
(a missing default file is fine: everything has a default). Environment variables override the
file: ``WARROOM_PROMETHEUS_URL``, ``WARROOM_PROMETHEUS_TOKEN``, ``WARROOM_KUBE_CONTEXT``,
``WARROOM_KUBE_NAMESPACES`` (comma-separated), ``WARROOM_POLICY``, ``WARROOM_TIMEZONE``.

Secrets never live in the parsed config's text form: tokens and passwords are read from the
environment or a file at load time and kept out of ``repr``.

    policy = "sev"                         # sev | p1 | p0 | path to a policy file
    timezone = "Europe/Berlin"             # business hours and "local" times (default: the machine's)

    [prometheus]
    url = "http://prometheus:9090"
    timeout = 5                            # seconds per query
    refresh = 15                           # seconds between refreshes
    bearer_token_env = "PROM_TOKEN"        # or bearer_token_file = "/run/secrets/prom"
    # basic_auth = { username = "grafana", password_env = "PROM_PASSWORD" }
    # ca_file = "/etc/ssl/internal-ca.pem"; insecure_skip_verify = false
    sparkline_minutes = 60

    [[prometheus.panels]]
    title = "Checkout error ratio"
    query = 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m]))'
    unit = "ratio"
    baseline = "offset 1d"                 # or "offset 7d", or a number
    direction = "higher_is_bad"            # or "lower_is_bad"
    warn_ratio = 2
    crit_ratio = 5

    [[probes]]
    name = "api"
    url = "https://api.example.com/health"
    interval = 10
    timeout = 3

    [comms]
    webhook_url_env = "SLACK_WEBHOOK_URL"  # or webhook_url_file; or $WARROOM_WEBHOOK_URL (comma-separated)
    bell = true                            # ring the terminal bell when an update is due
    templates_dir = "~/.config/warroom/templates"   # update.mustache here replaces the bundled one

    [kubernetes]
    contexts = ["prod-eu", "prod-us"]      # default: the kubeconfig's current context
    namespaces = ["payments", "checkout"]  # default: all namespaces
    selector = "tier=backend"
    kubeconfig = "~/.kube/config"
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from warroom.domain.times import MAX_SPAN

if TYPE_CHECKING:
    from warroom.domain.panels import Panel

HOUR, DAY = 3600.0, 86400.0


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class PrometheusConfig:
    url: str
    timeout: float = 5.0
    refresh: float = 15.0
    bearer_token: str | None = field(default=None, repr=False)
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    ca_file: str | None = None
    verify: bool = True
    panels: tuple[Panel, ...] = ()
    sparkline_minutes: int = 60
    default_panels: bool = False  # the panels were not configured: common metric names guessed


@dataclass(frozen=True)
class ProbeConfig:
    name: str
    url: str
    interval: float = 10.0
    timeout: float = 3.0
    expect_status: int | None = None  # None: any 2xx/3xx


@dataclass(frozen=True)
class KubeConfig:
    contexts: tuple[str | None, ...] = (None,)  # None: the kubeconfig's current context
    namespaces: tuple[str, ...] = ()  # empty: all namespaces
    selector: str = ""
    kubeconfig: str | None = None
    resync: float = 300.0
    rollout_hours: float = 6.0


@dataclass(frozen=True)
class CommsConfig:
    webhook_urls: tuple[str, ...] = field(default=(), repr=False)  # secrets: never printed
    bell: bool = True
    templates_dir: Path | None = None  # default: <config dir>/warroom/templates


@dataclass(frozen=True)
class WatchConfig:
    """``[watch]``: a screen whose incident a ``warroom watch`` feeds draws from its readings
    (``follow``), and reads the sources itself when no live watcher feeds it (``takeover``)."""

    follow: bool = True
    takeover: bool = True


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    policy: str = "sev"
    timezone: str | None = None
    prometheus: PrometheusConfig | None = None
    probes: tuple[ProbeConfig, ...] = ()
    kubernetes: KubeConfig | None = None
    comms: CommsConfig = field(default_factory=CommsConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)

    @property
    def metrics_configured(self) -> bool:
        return self.prometheus is not None or bool(self.probes)


def load_config(path: Path | None, env: Mapping[str, str] = os.environ, *, explicit: bool = False) -> Config:
    """Read the file (``explicit``: it must exist) and apply environment overrides."""
    data: dict[str, Any] = {}
    where = str(path) if path else "config"
    if path is not None and path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
    elif path is not None and explicit:
        raise ConfigError(f"config file {path} does not exist")
    return _build(data, env, where, path if path is not None and path.exists() else None)


def _build(data: Mapping[str, Any], env: Mapping[str, str], where: str, path: Path | None) -> Config:
    known = {"policy", "timezone", "prometheus", "probes", "kubernetes", "comms", "watch"}
    for key in data:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
    policy = env.get("WARROOM_POLICY") or _str(data, "policy", where, "sev")
    timezone = env.get("WARROOM_TIMEZONE") or _opt_str(data, "timezone", where)
    if timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}: timezone: unknown timezone {timezone!r} (an IANA name like Europe/Berlin)") from None
    return Config(
        path=path,
        policy=policy,
        timezone=timezone,
        prometheus=_prometheus(_table(data, "prometheus", where), env, f"{where}: prometheus"),
        probes=_probes(data.get("probes", []), f"{where}: probes"),
        kubernetes=_kube(data.get("kubernetes"), env, f"{where}: kubernetes"),
        comms=_comms(_table(data, "comms", where), env, f"{where}: comms"),
        watch=_watch(_table(data, "watch", where), f"{where}: watch"),
    )


def _watch(raw: Mapping[str, Any], where: str) -> WatchConfig:
    for key in raw:
        if key not in ("follow", "takeover"):
            raise ConfigError(f"{where}: unknown key {key!r} (follow, takeover)")
    return WatchConfig(_bool(raw, "follow", where, True), _bool(raw, "takeover", where, True))


def _comms(raw: Mapping[str, Any], env: Mapping[str, str], where: str) -> CommsConfig:
    allowed = {"webhook_url_env", "webhook_url_file", "bell", "templates_dir"}
    for key in raw:
        if key not in allowed:
            hint = " (webhook URLs are secrets: webhook_url_env or webhook_url_file)" if "url" in key else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    urls = [u.strip() for u in env.get("WARROOM_WEBHOOK_URL", "").split(",") if u.strip()]
    if "webhook_url_env" in raw:
        name = _name(raw, "webhook_url_env", where)
        if not env.get(name):
            raise ConfigError(f"{where}: webhook_url_env names ${name}, which is not set")
        urls.append(env[name].strip())
    if "webhook_url_file" in raw:
        urls.append(_secret_file(_name(raw, "webhook_url_file", where), f"{where}: webhook_url_file"))
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: a webhook URL must start with https:// (value not shown)")
    templates = _opt_str(raw, "templates_dir", where)
    return CommsConfig(tuple(dict.fromkeys(urls)), _bool(raw, "bell", where, True),
                       Path(templates).expanduser() if templates else None)


def _prometheus(raw: Mapping[str, Any], env: Mapping[str, str], where: str) -> PrometheusConfig | None:
    url = env.get("WARROOM_PROMETHEUS_URL") or _opt_str(raw, "url", where)
    if not url:
        if "panels" in raw:
            raise ConfigError(f"{where}: panels are configured but no url (set url or WARROOM_PROMETHEUS_URL)")
        return None
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
    allowed = {"url", "timeout", "refresh", "bearer_token_env", "bearer_token_file", "basic_auth", "ca_file",
               "insecure_skip_verify", "panels", "sparkline_minutes"}
    for key in raw:
        if key not in allowed:
            hint = " (tokens come from bearer_token_env or bearer_token_file)" if "token" in key else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    verify = not _bool(raw, "insecure_skip_verify", where, False)  # checked first: it guards the token
    token = env.get("WARROOM_PROMETHEUS_TOKEN") or None
    if "bearer_token_env" in raw:
        name = _name(raw, "bearer_token_env", where)
        if token is None:
            token = env.get(name)
            if not token:
                raise ConfigError(f"{where}: bearer_token_env names ${name}, which is not set")
    if "bearer_token_file" in raw:
        name = _name(raw, "bearer_token_file", where)
        if token is None:
            token = _secret_file(name, f"{where}: bearer_token_file")
    basic = None
    if "basic_auth" in raw:
        auth = raw["basic_auth"]
        if not isinstance(auth, Mapping) or "username" not in auth:
            raise ConfigError(f"{where}: basic_auth = {{ username = \"…\", password_env = \"…\" }}")
        here = f"{where}: basic_auth"
        for key in auth:
            if key not in ("username", "password_env", "password_file"):
                raise ConfigError(f"{here}: unknown key {key!r} (username, and password_env or password_file: "
                                  "never a literal password)")
        username = _str(auth, "username", here)
        if "password_env" in auth:
            name = _name(auth, "password_env", here)
            password = env.get(name)
            if password is None:
                raise ConfigError(f"{where}: basic_auth.password_env names ${name}, which is not set")
        elif "password_file" in auth:
            password = _secret_file(_name(auth, "password_file", here), f"{where}: basic_auth.password_file")
        else:
            raise ConfigError(f"{where}: basic_auth needs password_env or password_file (never a literal password)")
        basic = (username, password)
    # the panel parser is only needed with a [prometheus] table: the TUI's start-up does without it
    from warroom.domain.panels import PanelConfigError, default_panels, parse_panels

    try:
        configured = "panels" in raw
        panels = tuple(parse_panels(raw["panels"], where="prometheus.panels")) if configured else tuple(default_panels())
    except PanelConfigError as exc:
        raise ConfigError(f"{where.rsplit(':', 1)[0]}: {exc}") from None
    return PrometheusConfig(
        url=url.rstrip("/"),
        timeout=_positive(raw, "timeout", where, 5.0, maximum=HOUR),
        refresh=_positive(raw, "refresh", where, 15.0, maximum=DAY),
        bearer_token=token,
        basic_auth=basic,
        ca_file=_opt_str(raw, "ca_file", where),
        verify=verify,
        panels=panels,
        sparkline_minutes=_int(raw, "sparkline_minutes", where, 60, 1, 7 * 24 * 60),
        default_panels=not configured,
    )


def _probes(raw: Any, where: str) -> tuple[ProbeConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected [[probes]] tables")
    out = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping) or "url" not in item:
            raise ConfigError(f"{here}: needs a url")
        for key in item:
            if key not in ("name", "url", "interval", "timeout", "expect_status"):
                raise ConfigError(f"{here}: unknown key {key!r} (name, url, interval, timeout, expect_status)")
        url = _str(item, "url", here)
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{here}: url must start with http:// or https://")
        status = _int(item, "expect_status", here, None, 100, 599)
        out.append(ProbeConfig(name=_str(item, "name", here, url), url=url,
                               interval=_positive(item, "interval", here, 10.0, maximum=DAY),
                               timeout=_positive(item, "timeout", here, 3.0, maximum=HOUR), expect_status=status))
    return tuple(out)


def _kube(raw: Any, env: Mapping[str, str], where: str) -> KubeConfig | None:
    if raw is None and not env.get("WARROOM_KUBE_CONTEXT") and not env.get("WARROOM_KUBE_NAMESPACES"):
        return None
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a table")
    contexts: tuple[str | None, ...] = (None,)
    if env.get("WARROOM_KUBE_CONTEXT"):
        contexts = tuple(c.strip() for c in env["WARROOM_KUBE_CONTEXT"].split(",") if c.strip())
    elif "contexts" in raw:
        contexts = tuple(_str_list(raw, "contexts", where)) or (None,)
    elif "context" in raw:
        contexts = (_str(raw, "context", where),)
    namespaces = tuple(_str_list(raw, "namespaces", where)) if "namespaces" in raw else ()
    if env.get("WARROOM_KUBE_NAMESPACES"):
        namespaces = tuple(n.strip() for n in env["WARROOM_KUBE_NAMESPACES"].split(",") if n.strip())
    return KubeConfig(
        contexts=contexts,
        namespaces=namespaces,
        selector=_str(raw, "selector", where, ""),
        kubeconfig=_opt_str(raw, "kubeconfig", where),
        resync=_positive(raw, "resync", where, 300.0, maximum=DAY),
        rollout_hours=_positive(raw, "rollout_hours", where, 6.0, maximum=MAX_SPAN.total_seconds() / 3600,
                                unit="hours"),
    )


# -- small readers with messages that name the key ------------------------------------------
def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: {key} must be a table ([{key}])")
    return value


def _str(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string"
                          + (f", got {_shown(value)}" if key in data else " (missing)"))
    return value


def _name(data: Mapping[str, Any], key: str, where: str) -> str:
    """A non-empty string naming a variable or a file."""
    value = _str(data, key, where)
    if not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value


def _bool(data: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    """A TOML boolean, nothing else: ``"false"`` and ``"no"`` are truthy strings, and a mistyped
    ``insecure_skip_verify`` must not turn certificate checks off."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false (a TOML boolean, unquoted), got {_shown(value)}")
    return value


def _int(data: Mapping[str, Any], key: str, where: str, default: int | None, low: int, high: int) -> int | None:
    value = data.get(key, default)
    if value is None and key not in data:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{where}: {key} must be a whole number from {low} to {high}, got {_shown(value)}")
    return value


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    return _str(data, key, where) if data.get(key) is not None else None


def _str_list(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return value


def _positive(data: Mapping[str, Any], key: str, where: str, default: float, *, maximum: float,
              unit: str = "seconds") -> float:
    """A finite number above 0 and at most ``maximum`` (TOML has ``nan`` and ``inf``; sockets do not)."""
    value = data.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or not 0 < value <= maximum):
        raise ConfigError(f"{where}: {key} must be a positive number of {unit} up to {maximum:g}, "
                          f"got {_shown(value)}")
    return float(value)


_TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "table"}


def _shown(value: Any) -> str:
    """A value for an error message, with its TOML type (``the string 'false'``), kept short."""
    text = repr(value)
    text = f"{text[:40]}…" if len(text) > 40 else text
    kind = _TYPE_NAMES.get(type(value))
    return f"the {kind} {text}" if kind else text


def _secret_file(name: str, where: str) -> str:
    try:
        return Path(name).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {name}: {exc.strerror or exc}") from None

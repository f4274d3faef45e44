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
    webhook_kind = "mattermost"            # slack | mattermost | teams | googlechat | discord | json
                                           # (default: from the URL's host; or "discord+https://…")
    bell = true                            # ring the terminal bell when an update is due
    templates_dir = "~/.config/warroom/templates"   # update.mustache here replaces the bundled one

    [[comms.webhooks]]                     # more webhooks for the responders' update
    url_env = "DISCORD_WEBHOOK_URL"        # or url_file
    kind = "discord"

    [[comms.audiences]]                    # another audience: its template, cadence and webhooks
    name = "executive"
    template = "executive"                 # default: update
    every = { "SEV-1" = "30m", "SEV-2" = "1h" }   # per level; a level not listed: no cadence
    webhooks = [{ url_env = "EXEC_TEAMS_URL", kind = "teams" }]

    [alertmanager]                         # alerts in (warroom receive), silences out (the alerts view)
    url = "http://alertmanager:9093"       # API v2: the alerts view and silences (or $WARROOM_ALERTMANAGER_URL)
    bearer_token_env = "AM_TOKEN"          # or bearer_token_file: for Alertmanager behind a proxy
    timeout = 5

    [alertmanager.receiver]
    listen = "127.0.0.1:9095"
    token_file = "/run/secrets/warroom-receiver"   # or token_env; or $WARROOM_RECEIVER_TOKEN
    max_body = 1048576                     # bytes
    unmatched = "nothing"                  # nothing | notice | declare
    severity_label = "severity"
    severity_map = { critical = "SEV-1", warning = "SEV-3" }

    [[alertmanager.routes]]                # first match wins; none: by the alert's service label
    match = ['team="payments"']            # Alertmanager matchers: = != =~ !~
    service = "checkout"                   # or service_label = "service", or active = true
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

from warroom.domain.audiences import Audience
from warroom.domain.times import MAX_SPAN

if TYPE_CHECKING:
    from warroom.domain.alert_routing import Routing
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
class Webhook:
    url: str = field(repr=False)  # a secret: never printed
    kind: str = "slack"


@dataclass(frozen=True)
class AudienceConfig:
    audience: Audience
    webhooks: tuple[Webhook, ...] = ()


@dataclass(frozen=True)
class CommsConfig:
    webhook_urls: tuple[str, ...] = field(default=(), repr=False)  # secrets: never printed ("kind+" allowed)
    bell: bool = True
    templates_dir: Path | None = None  # default: <config dir>/warroom/templates
    webhook_kind: str | None = None  # of webhook_urls (default: each URL's own)
    webhooks: tuple[Webhook, ...] = ()
    audiences: tuple[AudienceConfig, ...] = ()

    def targets(self) -> tuple[Webhook, ...]:
        """The responders' webhooks, each with its kind."""
        from warroom.domain.webhook_body import kind_for_url, split_spec

        out = []
        for spec in self.webhook_urls:
            kind, url = split_spec(spec)
            out.append(Webhook(url, kind or self.webhook_kind or kind_for_url(url)))
        return tuple(out) + self.webhooks


@dataclass(frozen=True)
class ReceiverConfig:
    listen: str = "127.0.0.1:9095"
    token: str | None = field(default=None, repr=False)  # a secret: never printed
    max_body: int = 1024 * 1024
    routing: Routing | None = None  # None: the defaults (domain.alert_routing.Routing())
    author: str = "alertmanager"


@dataclass(frozen=True)
class AlertmanagerConfig:
    url: str | None = None  # the API v2 (alerts view, silences); None: the receiver only
    bearer_token: str | None = field(default=None, repr=False)
    timeout: float = 5.0
    receiver: ReceiverConfig = field(default_factory=ReceiverConfig)


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
    alertmanager: AlertmanagerConfig | None = None
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
    known = {"policy", "timezone", "prometheus", "probes", "kubernetes", "comms", "alertmanager", "watch"}
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
        alertmanager=_alertmanager(data.get("alertmanager"), env, f"{where}: alertmanager"),
        watch=_watch(_table(data, "watch", where), f"{where}: watch"),
    )


def _alertmanager(raw: Any, env: Mapping[str, str], where: str) -> AlertmanagerConfig | None:
    if raw is None and not env.get("WARROOM_ALERTMANAGER_URL") and not env.get("WARROOM_RECEIVER_TOKEN"):
        return None
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a table ([alertmanager])")
    for key in raw:
        if key not in ("url", "bearer_token_env", "bearer_token_file", "timeout", "receiver", "routes"):
            hint = " (tokens come from bearer_token_env or bearer_token_file)" if "token" in key else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    url = env.get("WARROOM_ALERTMANAGER_URL") or _opt_str(raw, "url", where)
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {_shown(url)}")
    token = None
    if "bearer_token_env" in raw:
        name = _name(raw, "bearer_token_env", where)
        token = env.get(name) or None
        if token is None:
            raise ConfigError(f"{where}: bearer_token_env names ${name}, which is not set")
    elif "bearer_token_file" in raw:
        token = _secret_file(_name(raw, "bearer_token_file", where), f"{where}: bearer_token_file")
    return AlertmanagerConfig(url=url.rstrip("/") if url else None, bearer_token=token,
                              timeout=_positive(raw, "timeout", where, 5.0, maximum=HOUR),
                              receiver=_receiver(_table(raw, "receiver", where), raw.get("routes", []), env,
                                                 f"{where}.receiver", f"{where}.routes"))


def _receiver(raw: Mapping[str, Any], routes: Any, env: Mapping[str, str], where: str,
              routes_where: str) -> ReceiverConfig:
    from warroom.domain.alert_routing import UNMATCHED, Route, Routing, RoutingError, parse_matcher

    allowed = {"listen", "token_env", "token_file", "max_body", "unmatched", "severity_label", "severity_map",
               "author"}
    for key in raw:
        if key not in allowed:
            hint = " (the token comes from token_env or token_file: never inline)" if "token" in key else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    listen = _str(raw, "listen", where, "127.0.0.1:9095")
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"{where}: listen must be HOST:PORT like 127.0.0.1:9095, got {_shown(listen)}")
    token = env.get("WARROOM_RECEIVER_TOKEN") or None
    if token is None and "token_env" in raw:
        name = _name(raw, "token_env", where)
        token = env.get(name) or None
        if token is None:
            raise ConfigError(f"{where}: token_env names ${name}, which is not set")
    if token is None and "token_file" in raw:
        token = _secret_file(_name(raw, "token_file", where), f"{where}: token_file") or None
        if token is None:
            raise ConfigError(f"{where}: token_file is empty")
    unmatched = _str(raw, "unmatched", where, "nothing")
    if unmatched not in UNMATCHED:
        raise ConfigError(f"{where}: unmatched must be one of {', '.join(UNMATCHED)}, got {_shown(unmatched)}")
    severity_map = _table(raw, "severity_map", where)
    if not all(isinstance(v, str) for v in severity_map.values()):
        raise ConfigError(f"{where}: severity_map values must be severity levels (strings), e.g. critical = \"SEV-1\"")
    if not isinstance(routes, list) or not all(isinstance(r, Mapping) for r in routes):
        raise ConfigError(f"{routes_where}: expected [[alertmanager.routes]] tables")
    parsed = []
    for i, item in enumerate(routes):
        here = f"{routes_where}[{i}]"
        for key in item:
            if key not in ("match", "service", "service_label", "active"):
                raise ConfigError(f"{here}: unknown key {key!r} (match, and service, service_label or active)")
        targets = [k for k in ("service", "service_label", "active") if k in item]
        if len(targets) != 1:
            raise ConfigError(f"{here}: give one of service, service_label or active = true")
        try:
            matchers = tuple(parse_matcher(m) for m in _str_list(item, "match", here)) if "match" in item else ()
        except RoutingError as exc:
            raise ConfigError(f"{here}: {exc}") from None
        parsed.append(Route(matchers, service=_opt_str(item, "service", here),
                            service_label=_opt_str(item, "service_label", here),
                            active=_bool(item, "active", here, False)))
        if "active" in item and not parsed[-1].active:
            raise ConfigError(f"{here}: active = false routes nowhere (give service or service_label)")
    routing = Routing(
        **({"routes": tuple(parsed)} if parsed else {}),
        unmatched=unmatched,
        severity_label=_str(raw, "severity_label", where, "severity"),
        severity_map=tuple((k.lower(), v) for k, v in severity_map.items()),
    )
    return ReceiverConfig(listen=listen, token=token,
                          max_body=_int(raw, "max_body", where, 1024 * 1024, 1024, 64 * 1024 * 1024),
                          routing=routing, author=_str(raw, "author", where, "alertmanager"))


def _watch(raw: Mapping[str, Any], where: str) -> WatchConfig:
    for key in raw:
        if key not in ("follow", "takeover"):
            raise ConfigError(f"{where}: unknown key {key!r} (follow, takeover)")
    return WatchConfig(_bool(raw, "follow", where, True), _bool(raw, "takeover", where, True))


def _comms(raw: Mapping[str, Any], env: Mapping[str, str], where: str) -> CommsConfig:
    from warroom.domain.webhook_body import WebhookKindError, check_kind, split_spec

    allowed = {"webhook_url_env", "webhook_url_file", "bell", "templates_dir", "webhook_kind", "webhooks",
               "audiences"}
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
    try:
        for url in urls:
            split_spec(url)  # an unknown kind+ prefix
        kind = check_kind(_str(raw, "webhook_kind", where)) if "webhook_kind" in raw else None
    except WebhookKindError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    for url in urls:
        if not split_spec(url)[1].startswith(("http://", "https://")):
            raise ConfigError(f"{where}: a webhook URL must start with https:// (value not shown)")
    templates = _opt_str(raw, "templates_dir", where)
    return CommsConfig(tuple(dict.fromkeys(urls)), _bool(raw, "bell", where, True),
                       Path(templates).expanduser() if templates else None, kind,
                       _webhooks(raw.get("webhooks", []), env, f"{where}.webhooks"),
                       _audiences(raw.get("audiences", []), env, f"{where}.audiences"))


def _webhooks(raw: Any, env: Mapping[str, str], where: str) -> tuple[Webhook, ...]:
    """``[{ url_env = "X", kind = "teams" }, …]``: a URL from a variable or a file, never literal."""
    from warroom.domain.webhook_body import WebhookKindError, check_kind, kind_for_url

    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected an array of tables ({{ url_env = \"…\", kind = \"…\" }})")
    out = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{here}: expected a table ({{ url_env = \"…\", kind = \"…\" }})")
        for key in item:
            if key not in ("url_env", "url_file", "kind"):
                hint = " (webhook URLs are secrets: url_env or url_file)" if "url" in key else ""
                raise ConfigError(f"{here}: unknown key {key!r}{hint}")
        if "url_env" in item:
            name = _name(item, "url_env", here)
            if not env.get(name):
                raise ConfigError(f"{here}: url_env names ${name}, which is not set")
            url = env[name].strip()
        elif "url_file" in item:
            url = _secret_file(_name(item, "url_file", here), f"{here}: url_file")
        else:
            raise ConfigError(f"{here}: needs url_env or url_file")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{here}: a webhook URL must start with https:// (value not shown)")
        try:
            kind = check_kind(_str(item, "kind", here)) if "kind" in item else kind_for_url(url)
        except WebhookKindError as exc:
            raise ConfigError(f"{here}: {exc}") from None
        out.append(Webhook(url, kind))
    return tuple(out)


def _audiences(raw: Any, env: Mapping[str, str], where: str) -> tuple[AudienceConfig, ...]:
    from warroom.domain.audience_mark import NAME, RESPONDERS
    from warroom.domain.policy import PolicyError, parse_span

    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected [[comms.audiences]] tables")
    out, seen = [], set()
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{here}: expected a table")
        for key in item:
            if key not in ("name", "template", "every", "webhooks"):
                raise ConfigError(f"{here}: unknown key {key!r} (name, template, every, webhooks)")
        name = _str(item, "name", here)
        if not NAME.match(name) or name == RESPONDERS or name in seen:
            raise ConfigError(f"{here}: name must be new, lowercase letters, digits, - and _ (not {RESPONDERS!r}), "
                              f"got {_shown(name)}")
        seen.add(name)
        every = item.get("every", {})
        if not isinstance(every, Mapping):
            raise ConfigError(f"{here}: every must be a table of level = cadence, e.g. {{ \"SEV-1\" = \"30m\" }}")
        spans = {}
        for level, text in every.items():
            try:
                spans[level] = parse_span(text)
            except PolicyError as exc:
                raise ConfigError(f"{here}: every.{level}: {exc}") from None
        audience = Audience(name, _str(item, "template", here, "update"), spans)
        out.append(AudienceConfig(audience, _webhooks(item.get("webhooks", []), env, f"{here}.webhooks")))
    return tuple(out)


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

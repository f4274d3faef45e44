"""Alertmanager's API v2, the few calls warroom makes: read the alerts (and the status, for
``warroom doctor``), create a silence, expire a silence. These two are the only writes warroom
ever sends to Alertmanager. Blocking (httpx): callers run it in a worker thread.
"""

from __future__ import annotations

from typing import Any

import httpx

from warroom.domain.alert_view import AlertmanagerDataError, AlertState, parse_alert_states
from warroom.domain.text import one_line
from warroom.sources.errors import exception_chain


class AlertmanagerError(Exception):
    """Alertmanager could not be asked, or said no (one line, no secret)."""


class AlertmanagerClient:
    def __init__(self, url: str, *, token: str | None = None, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:
        return f"AlertmanagerClient({self.url!r})"

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            reason = next((str(e) for e in reversed(exception_chain(exc)) if str(e)), type(exc).__name__)
            raise AlertmanagerError(f"{self.url}: {one_line(reason)[:200]}") from None
        if response.status_code >= 300:
            raise AlertmanagerError(f"{self.url}{path}: HTTP {response.status_code} "
                                    f"{one_line(response.text.strip())[:200]}")
        return response

    def _json(self, response: httpx.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise AlertmanagerError(f"{self.url}{path}: not JSON") from None

    def alerts(self) -> list[AlertState]:
        path = "/api/v2/alerts"
        try:
            return parse_alert_states(self._json(self._call("GET", path), path))
        except AlertmanagerDataError as exc:
            raise AlertmanagerError(f"{self.url}: {exc}") from None

    def version(self) -> str:
        path = "/api/v2/status"
        data = self._json(self._call("GET", path), path)
        info = data.get("versionInfo") if isinstance(data, dict) else None
        return str(info.get("version", "?")) if isinstance(info, dict) else "?"

    def create_silence(self, body: dict[str, Any]) -> str:
        """The new silence's id."""
        path = "/api/v2/silences"
        data = self._json(self._call("POST", path, json=body), path)
        silence_id = data.get("silenceID") if isinstance(data, dict) else None
        if not isinstance(silence_id, str) or not silence_id:
            raise AlertmanagerError(f"{self.url}{path}: no silenceID in the answer")
        return silence_id

    def expire_silence(self, silence_id: str) -> None:
        if not silence_id or not all(c.isalnum() or c == "-" for c in silence_id):
            raise AlertmanagerError(f"not a silence id: {one_line(silence_id)[:60]}")
        self._call("DELETE", f"/api/v2/silence/{silence_id}")

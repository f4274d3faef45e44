"""Where the database is: a file path (SQLite) or a ``postgresql://`` URL (PostgreSQL), and how
that location is shown — never with its password.

A location is a ``Path`` for SQLite and a ``str`` for a URL (``Path`` would fold the URL's ``//``).
Everything that shows a location (``warroom where``, ``doctor``, every error) goes through
``shown``; ``scrub`` removes the password from a message another library made (a driver's error
may quote parts of the connection string). Cheap to import: no driver, no asyncio.
"""

from __future__ import annotations

import re
from pathlib import Path

SCHEMES = ("postgresql://", "postgres://")
#: libpq URL parameters whose value is a secret (``re`` caches it once compiled: a path never is).
_SECRET_PARAM = r"(?i)(^|&)((?:ssl)?password)=([^&]*)"

Location = Path | str


def is_url(location: str | Path) -> bool:
    return isinstance(location, str) and location.strip().lower().startswith(SCHEMES)


def db_location(value: str | Path) -> Location:
    """``--db``/``$WARROOM_DB`` as given: a PostgreSQL URL stays a string, anything else is a path."""
    if isinstance(value, Path):
        return value.expanduser()
    text = str(value)
    if is_url(text):
        return text.strip()
    return Path(text).expanduser()


def shown(location: Location) -> str:
    """The location as messages show it: a URL with its password (``user:PASSWORD@`` and the
    ``password=``/``sslpassword=`` parameters) replaced by ``***``; a path as it is."""
    if not is_url(location):
        return str(location)
    scheme, _, rest = str(location).partition("://")
    userinfo, at, after = _userinfo(rest)
    if ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    hosts, qmark, query = after.partition("?")
    query = re.sub(_SECRET_PARAM, lambda m: f"{m[1]}{m[2]}=***", query)
    return f"{scheme}://{userinfo}{at}{hosts}{qmark}{query}"


def _userinfo(rest: str) -> tuple[str, str, str]:
    """(``user:password``, ``@``, the rest) as libpq reads a URL: the credentials end at the last
    ``@`` before the first ``/``. With no ``@`` there but one further on (a password holding a
    raw ``/``, which libpq misreads), everything up to the last ``@`` is taken as credentials:
    hiding too much is safe, showing a password is not."""
    cut = rest.split("/", 1)[0].rfind("@")
    if cut < 0:
        cut = rest.split("?", 1)[0].rfind("@")
    return (rest[:cut], "@", rest[cut + 1:]) if cut >= 0 else ("", "", rest)


def secrets(location: Location) -> list[str]:
    """The password(s) in a URL, as written and percent-decoded (longest first)."""
    if not is_url(location):
        return []
    userinfo, _, after = _userinfo(str(location).partition("://")[2])
    found = userinfo.split(":", 1)[1:]
    found += [m[3] for m in re.finditer(_SECRET_PARAM, after.partition("?")[2])]
    from urllib.parse import unquote

    found += [unquote(s) for s in found]
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrub(message: str, location: Location) -> str:
    """``message`` with the location's password(s) replaced by ``***``."""
    for secret in secrets(location):
        message = message.replace(secret, "***")
    return message

"""Where warroom keeps its files: the user data dir (database) and config dir, XDG-style.
The database may also be a PostgreSQL server (``$WARROOM_DB=postgresql://…``): see ``store.location``."""

from __future__ import annotations

import os
from pathlib import Path

from warroom.store.location import Location, db_location, is_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

APP = "warroom"


def default_db_path(env: Mapping[str, str] = os.environ) -> Location:
    """``$WARROOM_DB`` (a path, or a ``postgresql://`` URL), else ``<user data dir>/warroom/warroom.db``
    (e.g. ~/.local/share/warroom)."""
    if env.get("WARROOM_DB"):
        return db_location(env["WARROOM_DB"])
    return _data_dir() / "warroom.db"


def _data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def default_export_dir() -> Path:
    """Where ``warroom serve``'s visitors export to unless told (``--export-dir``): the user data dir's
    ``exports`` (e.g. ~/.local/share/warroom/exports), not whichever directory the server started in."""
    return _data_dir() / "exports"


def beside_db(location: Location) -> Path:
    """The folder for files kept beside the database (the unsaved lines): the file's own folder,
    or for a database on a server, the user data dir — never a path made of the URL."""
    if is_url(location):
        folder = _data_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder
    return Path(location).expanduser().parent


def default_config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("WARROOM_CONFIG"):
        return Path(env["WARROOM_CONFIG"]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False) / "config.toml"


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The directory of the config file (templates live beside it). On Linux it is worked out as
    platformdirs does (``$XDG_CONFIG_HOME`` or ``~/.config``, then ``warroom``) without importing it:
    ``warroom export`` stays a quick one-shot command."""
    import sys

    if env.get("WARROOM_CONFIG") or not sys.platform.startswith("linux"):
        return default_config_path(env).parent
    base = env.get("XDG_CONFIG_HOME", "").strip()
    return Path(base if base else Path("~/.config").expanduser()) / APP


"""Where warroom keeps its files: the user data dir (database) and config dir, XDG-style."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

APP = "warroom"


def default_db_path(env: Mapping[str, str] = os.environ) -> Path:
    """``$WARROOM_DB``, else ``<user data dir>/warroom/warroom.db`` (e.g. ~/.local/share/warroom)."""
    if env.get("WARROOM_DB"):
        return Path(env["WARROOM_DB"]).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False) / "warroom.db"


def default_config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("WARROOM_CONFIG"):
        return Path(env["WARROOM_CONFIG"]).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP, appauthor=False) / "config.toml"

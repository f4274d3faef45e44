"""Writing an export file: all of it or nothing, readable by its owner only (as the database is).

The text goes to a temporary file beside the target (created 0600, so never readable by others
even for a moment), is synced, then renamed over the target. Any failure (a full disk) removes
the temporary and names the target, never the database. A temporary left by a killed export is
clearly named (``.warroom-export-….tmp``) and removed by the next export into that directory.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from datetime import datetime
from pathlib import Path

PREFIX = ".warroom-export-"
#: A temporary of ours older than this belongs to an export that died (another may be writing a newer one).
STALE_AFTER_S = 60.0


class ExportError(Exception):
    """The export could not be written; the message names the target file."""


def default_name(incident, now: datetime, fmt: str = "markdown") -> str:
    """``incident-7-20261123-101500.md`` (``drill-…`` for a drill, ``.json`` for JSON)."""
    kind = "drill" if incident.drill else "incident"
    return f"{kind}-{incident.id}-{now:%Y%m%d-%H%M%S}.{'json' if fmt == 'json' else 'md'}"


def target_path(output: Path, default: str) -> Path:
    """``-o DIR`` means the default file name inside DIR; anything else is the file itself."""
    output = output.expanduser()
    return output / default if output.is_dir() else output


def remove_stale(directory: Path, now: float) -> list[Path]:
    """Delete temporaries of ours in ``directory`` last touched before ``now - STALE_AFTER_S``."""
    removed = []
    try:
        candidates = list(directory.glob(f"{PREFIX}*.tmp"))
    except OSError:
        return removed
    for path in candidates:
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_mtime < now - STALE_AFTER_S:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def write_private(path: Path, text: str | bytes, now: float | None = None) -> Path:
    """Write ``text`` (UTF-8; bytes as they are: a chart) to ``path`` atomically with mode 0600; raise ``ExportError``."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise ExportError(f"cannot write {path}: it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):  # /dev/stdout, a pipe: write into it
        try:
            with open(path, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path
    directory = path.parent
    remove_stale(directory, time.time() if now is None else now)
    tmp = directory / f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    _sync_directory(directory)
    return path


def _sync_directory(directory: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

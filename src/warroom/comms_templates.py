"""Where status-update templates come from: the bundled ones, or the user's file of the same name.

A file ``update.mustache`` in the user's template directory (``<config dir>/templates``) replaces
the bundled ``update``; other ``*.mustache`` files there are extra templates. Reading files is I/O,
so it lives here in the shell; rendering is the domain's (``warroom.domain.templating``).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from warroom.domain.templating import TemplateError

#: The bundled templates, in the order a composer offers them.
TEMPLATES = ("declared", "update", "resolved", "statuspage", "customer_email")
TEMPLATE_SUFFIX = ".mustache"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

def _bundled_dir():
    return resources.files("warroom").joinpath("templates")


def _check_name(name: str) -> str:
    base = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    if not _NAME.match(base):
        raise TemplateError(f"not a template name: {name!r} (letters, digits, - and _)")
    return base


def template_names(user_dir: Path | None = None) -> list[str]:
    """The bundled templates, then the user's own extra ones (sorted)."""
    names = list(TEMPLATES)
    if user_dir is not None and user_dir.is_dir():
        extra = sorted(p.name[: -len(TEMPLATE_SUFFIX)] for p in user_dir.glob(f"*{TEMPLATE_SUFFIX}")
                       if p.is_file() and _NAME.match(p.name[: -len(TEMPLATE_SUFFIX)]))
        names += [n for n in extra if n not in names]
    return names


def template_source(name: str, user_dir: Path | None = None) -> Path | None:
    """The user's file that overrides ``name``, or None when the bundled one is used."""
    base = _check_name(name)
    if user_dir is not None:
        path = user_dir / f"{base}{TEMPLATE_SUFFIX}"
        if path.is_file():
            return path
    return None


def load_template(name: str, user_dir: Path | None = None) -> str:
    """The text of template ``name``: ``<user_dir>/<name>.mustache`` if it exists, else the bundled one.

    The caller passes ``<config dir>/warroom/templates`` as ``user_dir``.
    """
    base = _check_name(name)
    path = template_source(base, user_dir)
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"cannot read template {path}: {exc}") from None
    else:
        resource = _bundled_dir().joinpath(f"{base}{TEMPLATE_SUFFIX}")
        if not resource.is_file():
            known = ", ".join(template_names(user_dir))
            raise TemplateError(f"no template {base!r} (templates: {known})")
        text = resource.read_text(encoding="utf-8")
    return text.replace("\r\n", "\n")

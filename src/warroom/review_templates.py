"""Which review template an export uses: the bundled ``full`` or ``light``, the user's file of that
name in ``<config dir>/warroom/templates/review/`` (which replaces it), or any file named by path.
Reading files is I/O, so it lives here in the shell; the sections are the domain's
(``warroom.domain.review``)."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Iterable

from warroom.domain.templating import TemplateError

REVIEW_TEMPLATES = ("full", "light")
DEFAULT = "full"


def user_review_dir() -> Path:
    from warroom.paths import config_dir

    return config_dir() / "templates" / "review"


def load_review_template(choice: str = DEFAULT, user_dir: Path | None = None) -> str:
    """The text of ``full``/``light`` (the user's override first), or of the file ``choice`` names."""
    if choice in REVIEW_TEMPLATES:
        path = (user_dir / f"{choice}.mustache") if user_dir is not None else None
        if path is None or not path.is_file():
            return resources.files("warroom").joinpath("templates", "review", f"{choice}.mustache").read_text(
                encoding="utf-8")
    else:
        path = Path(choice).expanduser()
        if not path.is_file():
            raise TemplateError(f"no review template {choice!r}: full, light, or a template file's path")
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read review template {path}: {exc}") from None


def review_markdown(incident, entries: Iterable, now: datetime, *, template: str = DEFAULT,
                    user_dir: Path | None = None, extra_sections: Iterable[str] = (), readings=None) -> str:
    """The review of ``incident`` rendered from ``template`` (``readings``: its recorded ones)."""
    from warroom.domain.recording import Timeline
    from warroom.domain.replay import evidence_markdown
    from warroom.domain.review import render_review, review_context

    entries = list(entries)
    timeline = Timeline(readings) if readings else None
    evidence = evidence_markdown(incident, entries, timeline) if timeline is not None else ""
    context = review_context(incident, entries, now, extra_sections=extra_sections, timeline=timeline,
                             evidence=evidence)
    return render_review(load_review_template(template, user_dir), context)

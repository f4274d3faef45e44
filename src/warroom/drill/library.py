"""Finding and reading scenario files: the bundled ones by name, a user's by path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from warroom.drill.scenario import Scenario, ScenarioError, parse_scenario

if TYPE_CHECKING:
    from warroom.store import IncidentStore

BUNDLED = Path(__file__).resolve().parent / "scenarios"
DEFAULT = "bad-deploy"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.toml"))


def load(spec: str) -> tuple[Scenario, str]:
    """``(scenario, source text)`` for a bundled name or a file path; ScenarioError otherwise."""
    path = BUNDLED / f"{spec}.toml" if spec in bundled_names() else Path(spec).expanduser()
    if not path.is_file():
        raise ScenarioError(spec, 0, "", f"no such scenario (bundled: {', '.join(bundled_names())}; or a .toml file)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), 0, "", f"cannot read: {exc}") from None
    return parse_scenario(text, str(path) if path.parent != BUNDLED else path.name, name=path.stem), text


def report_time(entries, now):
    """The instant a drill's report is judged at: the drill's own last moment.

    A compressed drill's clock runs ahead of the wall clock, so ``now`` alone could lie before
    its last entries; the latest entry (the "Drill ended" entry, once written) is its end.
    """
    return max([now, *(e.logged_at for e in entries), *(e.at for e in entries)])


async def drill_sections(store: IncidentStore, incident, entries, now) -> list[str]:
    """The drill report as a markdown section for the export; [] for a real incident."""
    from warroom.drill.scoring import drill_report

    if not incident.drill:
        return []
    stored = await store.drill_scenario(incident.id)
    if stored is None:
        return []
    try:
        scenario = parse_scenario(stored.source, stored.name, name=stored.name)
    except ScenarioError as exc:
        return [f"## Drill report\n\nThe scenario could not be read again: {exc}\n"]
    return [drill_report(scenario, incident, entries, now).to_markdown()]

"""Resolving ``--policy sev|p1|p0|FILE`` to a Policy (the only policy code that reads files)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from warroom.domain.policy import Policy, PolicyError, policy_from_dict
from warroom.domain.presets import PRESETS, preset


def load_policy(spec: str) -> Policy:
    """A preset name, or a TOML file that defines a policy (``base = "sev"`` to override a preset)."""
    if spec.lower() in PRESETS:
        return preset(spec)
    path = Path(spec).expanduser()
    if not path.exists():
        raise PolicyError(f"unknown policy {spec!r}: not a preset ({', '.join(PRESETS)}) and no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {path}: {exc}") from None
    base = None
    if "base" in data:
        base = preset(str(data["base"]))
    return policy_from_dict(data, base=base, where=str(path))

"""Regular expressions compiled when first used: importing a module compiles none of its
patterns, so a one-shot command (``warroom log``) pays only for the few it matches with."""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Pattern:
    """``re.compile(pattern, flags)``, done on the first ``match``/``sub``/… and kept."""

    __slots__ = ("_pattern", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern, self._flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # match, fullmatch, sub, findall…: the compiled pattern's
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return getattr(self._compiled, name)

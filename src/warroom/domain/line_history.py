"""The scribe's lines that were typed but not logged — refused, or cleared with Esc — to recall
with ↑ as a shell recalls its history: nothing typed is lost silently.

Only lines not in the timeline are kept (one logged leaves): a logged line is already there to
select and edit, and ↑ past the oldest kept line still reaches the timeline's rows.
"""

from __future__ import annotations

LIMIT = 50


class LineHistory:
    """Newest last, each line once. ``older``/``newer`` walk it from what is on the line now,
    which is kept as the draft and given back by ``newer`` past the newest."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.lines: list[str] = []
        self._limit = limit
        self._at: int | None = None  # the line shown while walking, as an index; None: not walking
        self._draft = ""

    def add(self, line: str) -> None:
        """Keep ``line`` (as the newest, if it was kept already); blank lines are not worth it."""
        if not line.strip():
            return
        if line in self.lines:
            self.lines.remove(line)
        self.lines.append(line)
        del self.lines[: -self._limit]
        self._at = None

    def forget(self, line: str) -> None:
        """``line`` was logged: it is in the timeline now."""
        if line in self.lines:
            self.lines.remove(line)
        self._at = None

    def stop(self) -> None:
        """The line was edited: the next ``older`` starts again from the newest."""
        self._at = None

    def older(self, current: str) -> str | None:
        """The line before the one shown (``current`` is kept as the draft when the walk starts);
        None at the oldest. The line on the input now is skipped: a refused line still there is
        not recalled onto itself."""
        at = len(self.lines) if self._at is None else self._at
        for i in range(at - 1, -1, -1):
            if self.lines[i] != current:
                if self._at is None:
                    self._draft = current
                self._at = i
                return self.lines[i]
        return None

    def newer(self) -> str | None:
        """The line after the one shown, then the draft; None when not walking."""
        if self._at is None:
            return None
        self._at += 1
        if self._at >= len(self.lines):
            self._at = None
            return self._draft
        return self.lines[self._at]

"""Walking an exception's chain: the sources turn whatever a library raised into one short message."""

from __future__ import annotations


def exception_chain(exc: BaseException, *, wrapped: bool = False) -> list[BaseException]:
    """The exception and everything it wraps: cause, context, members of exception groups and,
    with ``wrapped``, exceptions carried as a ``reason`` attribute or in ``args`` (some libraries nest them so)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if any(e is s for s in seen):
            continue
        seen.append(e)
        nested = [e.__cause__, e.__context__, *getattr(e, "exceptions", ())]
        if wrapped:
            nested += [getattr(e, "reason", None), *getattr(e, "args", ())]
        todo += [n for n in nested if isinstance(n, BaseException)]
    return seen

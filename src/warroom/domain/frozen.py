"""Frozen value classes that cost no ``dataclasses`` import: the incident and its entries.

``import dataclasses`` imports ``inspect`` (and ``ast``, ``dis``, ``tokenize``): ~12 ms, half
again what a bare process inserting one row costs, on every ``warroom log`` (``bench/bench_cli.py``).
A ``Frozen`` subclass declares its fields as a frozen dataclass does (annotations, defaults) and
gets the same ``__init__``, ``__repr__``, ``==``, ``hash`` and immutability; ``replace`` works on
it and on a dataclass alike. Two more words than a dataclass: ``HIDDEN`` fields are left out of
``repr``, ``UNCOMPARED`` ones out of ``==`` and ``hash``; and a ``LATER`` field may be given as
``Later(make)``, made on first read (the policy of an incident read by a command that never
looks at it).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    T = TypeVar("T")

_MISSING = object()
#: Defaults made fresh for each instance (``field(default_factory=dict)``).
_MUTABLE = (dict, list, set)


class Later:
    """A field's value, made when first read (``make()``, at most once per reader)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class _Made:
    """The class attribute of a ``LATER`` field: found only until the value is made and kept."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__["_later_" + self.name].make()
        obj.__dict__[self.name] = value
        return value


class Frozen:
    """Base of a frozen value class; its fields are its annotations, in order."""

    FIELDS: tuple[str, ...] = ()
    HIDDEN: tuple[str, ...] = ()
    UNCOMPARED: tuple[str, ...] = ()
    LATER: tuple[str, ...] = ()
    _COMPARED: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = tuple(n for n in cls.__dict__.get("__annotations__", {}) if not n.isupper() and n[0] != "_")
        cls.FIELDS = names
        cls._COMPARED = tuple(n for n in names if n not in cls.UNCOMPARED)
        cls.__init__ = _init(cls, names)  # type: ignore[misc]
        for name in cls.LATER:
            setattr(cls, name, _Made(name))

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.FIELDS if n not in self.HIDDEN)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._COMPARED)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self._COMPARED))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


def _init(cls: type, names: tuple[str, ...]) -> Callable[..., None]:
    """``__init__`` written out for the fields, as ``dataclasses`` does (one ``exec`` per class)."""
    env: dict[str, Any] = {"_MISSING": _MISSING, "Later": Later}
    params, body = [], ["  d = self.__dict__"]
    for name in names:
        default = cls.__dict__.get(name, _MISSING)
        if default is _MISSING:
            if len(params) > len([p for p in params if "=" not in p]):
                raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default one")
            params.append(name)
        elif type(default) in _MUTABLE:
            params.append(f"{name}=_MISSING")
            body.append(f"  if {name} is _MISSING: {name} = {type(default).__name__}()")
        else:
            env[f"_d_{name}"] = default
            params.append(f"{name}=_d_{name}")
        if name in cls.LATER:
            body.append(f"  if type({name}) is Later: d['_later_{name}'] = {name}\n  else: d[{name!r}] = {name}")
        else:
            body.append(f"  d[{name!r}] = {name}")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), env)  # noqa: S102 - our own text
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def replace(obj: T, /, **changes: Any) -> T:
    """``obj`` with ``changes``: a ``Frozen`` value, or a dataclass (``dataclasses.replace``)."""
    if isinstance(obj, Frozen):
        held = obj.__dict__  # a LATER value not made yet is passed on as it is
        values = {n: held[n] if n in held else held["_later_" + n] for n in obj.FIELDS}
        unknown = changes.keys() - values.keys()
        if unknown:
            raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
        return type(obj)(**{**values, **changes})
    import dataclasses

    return dataclasses.replace(obj, **changes)

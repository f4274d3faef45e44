"""Frozen value classes (``domain.frozen``): what a frozen dataclass gave the incident and its
entries — init, defaults made fresh, ==, hash, repr, immutability, replace — plus a field made
when first read."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from warroom.domain.frozen import Frozen, Later, replace
from warroom.domain.incident import Incident
from warroom.domain.timeline import Entry, Revision

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


class Point(Frozen):
    HIDDEN = ("secret",)
    UNCOMPARED = ("note",)
    LATER = ("secret",)

    x: int
    secret: str = ""
    tags: dict = {}
    note: str = ""


def test_init_defaults_equality_hash_and_repr() -> None:
    a, b = Point(1), Point(x=1, note="other")
    assert a == b  # ``note`` is not compared
    entry = Entry(1, 1, T0, T0, "ana", "note", "x")
    assert hash(entry) == hash(Entry(1, 1, T0, T0, "ana", "note", "x", history=(Revision(1, T0, "note", "o", "a", T0, "a"),)))
    assert a != Point(2) and a != (1,) and Point(1).tags is not Point(1).tags  # a fresh dict each
    assert repr(Point(1, "pw")) == "Point(x=1, tags={}, note='')"  # the hidden field is not shown
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]


def test_frozen() -> None:
    p = Point(1)
    with pytest.raises(AttributeError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x


def test_a_later_field_is_made_once_when_first_read() -> None:
    made = []
    p = Point(1, Later(lambda: made.append(1) or "built"))
    assert made == []
    assert p.secret == "built" and p.secret == "built" and made == [1]
    q = replace(p, x=2)
    assert (q.x, q.secret) == (2, "built")
    unread = replace(Point(1, Later(lambda: made.append(2) or "late")), x=3)  # passed on, still not made
    assert made == [1] and unread.secret == "late" and made == [1, 2]


def test_replace_works_on_the_domain_values_and_refuses_an_unknown_field() -> None:
    entry = Entry(1, 1, T0, T0, "ana", "note", "rolled back",
                  history=(Revision(1, T0, "note", "old", "ana", T0, "ana"),))
    assert replace(entry, text="x").text == "x" and replace(entry, text="x").history == entry.history
    assert replace(entry, history=()) == entry  # history is not compared
    with pytest.raises(TypeError):
        replace(entry, nope=1)


def test_an_incident_policy_given_later_is_the_policy() -> None:
    from warroom.domain.presets import SEV as policy

    eager = Incident(1, "t", policy.levels[0].key, "investigating", policy, {"declared": T0})
    lazy = Incident(1, "t", policy.levels[0].key, "investigating", Later(lambda: policy), {"declared": T0})
    assert lazy == eager and lazy.policy is policy and lazy.level == eager.level
    assert "policy" not in repr(lazy)

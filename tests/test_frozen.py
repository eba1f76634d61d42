"""``Frozen`` records behave as the frozen dataclasses they replaced: the same equality,
hashing, ``repr`` and replacement, and no field can change."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, replace

import pytest

from fittui.domain.frozen import Frozen
from fittui.domain.instruments import Band, Item


class Point(Frozen):
    __slots__ = ("x", "y", "label")
    x: int
    y: int
    label: str

    def __init__(self, x: int, y: int, label: str = "") -> None:
        self._fill(x, y, label)


@dataclass(frozen=True)
class DataPoint:
    x: int
    y: int
    label: str = ""


class Other(Frozen):
    __slots__ = ("x", "y", "label")

    def __init__(self, x: int, y: int, label: str = "") -> None:
        self._fill(x, y, label)


def test_equality_and_hash_are_field_by_field():
    assert Point(1, 2) == Point(1, 2, "")
    assert Point(1, 2) != Point(1, 3)
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "a"))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert Point(1, 2) != Other(1, 2)  # another class is never equal, as with dataclasses
    assert Point(1, 2) != (1, 2, "")


def test_repr_is_the_dataclass_s():
    assert repr(Point(1, 2, "a")).replace("Point", "DataPoint") == repr(DataPoint(1, 2, "a"))
    assert repr(Item("mood", "Mood")) == (
        "Item(key='mood', label='Mood', description='', low='', high='', loinc='')"
    )


def test_replace_changes_only_what_it_names():
    p = Point(1, 2, "a")
    assert p.replace(y=5) == Point(1, 5, "a")
    assert p == Point(1, 2, "a")
    with pytest.raises(TypeError):
        p.replace(z=1)


def test_no_field_changes_or_goes():
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x
    with pytest.raises(AttributeError):
        p.z = 3  # type: ignore[attr-defined]
    d = DataPoint(1, 2)
    with pytest.raises(FrozenInstanceError):  # what the dataclass raised: an AttributeError too
        d.x = 3  # type: ignore[misc]
    assert issubclass(FrozenInstanceError, AttributeError)
    assert replace(d, x=3) == DataPoint(3, 2)


def test_copies_and_pickles_are_equal():
    band = Band("mild", "Mild", 50)
    assert copy.copy(band) == band and copy.deepcopy(band) == band
    assert pickle.loads(pickle.dumps(band)) == band

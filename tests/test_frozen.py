"""``Frozen`` records behave as the frozen dataclasses they replaced: the same equality,
hashing, ``repr`` and replacement, and no field can change."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, make_dataclass, replace

import pytest

from fittui.domain.episodes import EpisodeEvent
from fittui.domain.etr import Course, default_parameters
from fittui.domain.frozen import Frozen
from fittui.domain.instruments import Band, Item
from fittui.domain.model import Administration, Client, Voided
from fittui.storage.settings import PinHash, Settings
from fittui.storage.store import Form
from fittui.storage.summaries import Head
from fittui.ui.screens.keys import KeySection


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


def test_records_read_back_as_the_dataclasses_they_were():
    """The records that were dataclasses keep their ``repr``: the expected path's
    parameters are part of the fingerprint the kept caseload rows are checked against, so
    a changed ``repr`` would have every practice's rows rebuilt."""
    records = [
        default_parameters(),
        Course("adult", (200, 230), ("2026-01-05", "2026-01-12")),
        Client("C1", linked=("C2",)),
        Administration("a1", "C1", "ORS", "2026-01-05", {"overall": 50}, voided=Voided("x", "t")),
        EpisodeEvent("start", "2026-01-05"),
        Settings(pin=PinHash(b"salt", b"digest")),
        Form("F1", "C1", "ORS", "2026-01-05"),
        Head(None, "j1", "rules"),
        KeySection("Move", (("↑ ↓", "choose a client"),)),
    ]
    for record in records:
        cls = type(record)
        mirror = make_dataclass(cls.__name__, cls.__slots__, frozen=True)
        assert repr(record) == repr(mirror(*(getattr(record, f) for f in cls.__slots__)))


def test_a_field_that_is_a_dict_is_compared_but_not_hashed():
    rating = Administration("a1", "C1", "ORS", "2026-01-05", {"overall": 50})
    rescored = rating.replace(items={"overall": 60})
    assert rating != rescored and hash(rating) == hash(rescored)
    assert rating == Administration("a1", "C1", "ORS", "2026-01-05", {"overall": 50})
    assert hash(rating) != hash(rating.replace(note="later"))
    params = default_parameters()
    wider = params.replace(cutoffs={**params.cutoffs, "adult": 260})
    assert params != wider and hash(params) == hash(wider)

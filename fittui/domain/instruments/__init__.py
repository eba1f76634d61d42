"""Instruments as data: the ORS/SRS family and any Likert scale, loaded from TOML.

Each built-in instrument is one TOML file beside this module. A user may drop TOML files
into ``<config dir>/instruments/``: a file whose ``key`` names a built-in instrument
replaces only its wording (name, frame, item labels, descriptions, line ends, answer
options), which is how a licensed or translated wording gets in without touching the
scoring; a file with a new key adds a whole instrument. Scores are handled in integer
tenths everywhere in the domain, so no float sum ever decides a clinical judgement.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal, overload

from fittui.domain.frozen import Frozen
from fittui.domain.kept_toml import parse, read_toml
from fittui.domain.scales import (  # noqa: F401 - re-exported: callers import them from here
    AGE_GROUPS,
    InstrumentError,
    Scale,
    format_tenths,
    user_instrument_files,
)

Family = Literal["ors", "srs", "other"]
Kind = Literal["vas", "likert"]
FAMILIES: tuple[Family, ...] = ("ors", "srs", "other")
KINDS: tuple[Kind, ...] = ("vas", "likert")
# The default instruments for each age group (README, How fittui scores).
DEFAULTS_BY_AGE_GROUP = {
    "adult": ("ORS", "SRS"),
    "adolescent": ("ORS", "SRS"),
    "child": ("CORS", "CSRS"),
    "young_child": ("YCORS", "YCSRS"),
}
_BUILTIN_DIR = Path(__file__).parent
BUILTIN_FILES = ("ors", "srs", "cors", "csrs", "ycors", "ycsrs", "gsrs", "phq9", "gad7")
_WORDING_FIELDS = ("name", "frame", "options")
_ITEM_WORDING_FIELDS = ("label", "description", "low", "high")


# The records below are ``Frozen`` (``frozen.py``), not dataclasses: every command that
# reads a rating imports this module, and a dataclass compiles its methods at each import.
class Item(Frozen):
    """One line (VAS) or question (Likert) of an instrument.

    ``label`` is the short name the therapist reads. ``description`` is, for a line, one
    sentence under the label and, for a Likert question, the question as the client reads
    it. ``low`` and ``high`` are the words at a line's ends. ``loinc`` is the item's LOINC
    code where one is known for certain, for exports.
    """

    __slots__ = ("key", "label", "description", "low", "high", "loinc")
    key: str
    label: str
    description: str
    low: str
    high: str
    loinc: str

    def __init__(
        self,
        key: str,
        label: str,
        description: str = "",
        low: str = "",
        high: str = "",
        loinc: str = "",
    ) -> None:
        self._fill(key, label, description, low, high, loinc)


class Band(Frozen):
    """A severity band: totals from ``low`` (inclusive) up to the next band."""

    __slots__ = ("key", "label", "low")
    key: str
    label: str
    low: int  # tenths

    def __init__(self, key: str, label: str, low: int) -> None:
        self._fill(key, label, low)


class RiskRule(Frozen):
    """An item answer that must reach the therapist before anything else."""

    __slots__ = ("item", "at_least", "flag", "message")
    item: str
    at_least: int  # tenths
    flag: str
    message: str

    def __init__(self, item: str, at_least: int, flag: str, message: str) -> None:
        self._fill(item, at_least, flag, message)


class Source(Frozen):
    __slots__ = ("text", "supports")
    text: str
    supports: str

    def __init__(self, text: str, supports: str = "") -> None:
        self._fill(text, supports)


class Instrument(Frozen):
    """An instrument definition. Totals, cut-offs and thresholds are in tenths.

    For exports: ``loinc_panel`` and ``loinc_total`` are the LOINC codes of the whole
    questionnaire and of its total score, ``Item.loinc`` those of the items, and
    ``loinc_answers`` the LOINC answer codes in the order of ``options`` (an answer of
    ``scale_min + n * step`` tenths is ``options[n]``, coded ``loinc_answers[n]``). Each is
    empty where no code is known. ``group``: rated about a group session (the GSRS), a
    series of its own, apart from the individual alliance. ``languages``: the only
    languages a client may rate it in, for a validated questionnaire whose exact published
    wording is shipped (the PHQ-9 in English); empty: any language, its wording (ours)
    translated through the client catalog.
    """

    __slots__ = (
        "key",
        "name",
        "family",
        "kind",
        "items",
        "scale_min",
        "scale_max",
        "step",
        "ages",
        "age_groups",
        "frame",
        "cutoffs",
        "reliable_change",
        "cutoff",
        "item_cutoff",
        "caseness",
        "options",
        "bands",
        "risk_rules",
        "sources",
        "copyright",
        "loinc_panel",
        "loinc_total",
        "loinc_answers",
        "group",
        "languages",
    )
    key: str
    name: str
    family: Family
    kind: Kind
    items: tuple[Item, ...]
    scale_min: int
    scale_max: int
    step: int
    ages: str
    age_groups: tuple[str, ...]
    frame: str
    cutoffs: dict[str, int]
    reliable_change: int | None
    cutoff: int | None
    item_cutoff: int | None
    caseness: int | None  # a Likert total at or above it counts as a case (PHQ-9 10)
    options: tuple[str, ...]
    bands: tuple[Band, ...]
    risk_rules: tuple[RiskRule, ...]
    sources: tuple[Source, ...]
    copyright: str
    loinc_panel: str
    loinc_total: str
    loinc_answers: tuple[str, ...]
    group: bool
    languages: tuple[str, ...]

    def __init__(
        self,
        key: str,
        name: str,
        family: Family,
        kind: Kind,
        items: tuple[Item, ...],
        scale_min: int,
        scale_max: int,
        step: int,
        ages: str = "",
        age_groups: tuple[str, ...] = (),
        frame: str = "",
        cutoffs: dict[str, int] | None = None,
        reliable_change: int | None = None,
        cutoff: int | None = None,
        item_cutoff: int | None = None,
        caseness: int | None = None,
        options: tuple[str, ...] = (),
        bands: tuple[Band, ...] = (),
        risk_rules: tuple[RiskRule, ...] = (),
        sources: tuple[Source, ...] = (),
        copyright: str = "",
        loinc_panel: str = "",
        loinc_total: str = "",
        loinc_answers: tuple[str, ...] = (),
        group: bool = False,
        languages: tuple[str, ...] = (),
    ) -> None:
        self._fill(
            key,
            name,
            family,
            kind,
            items,
            scale_min,
            scale_max,
            step,
            ages,
            age_groups,
            frame,
            {} if cutoffs is None else cutoffs,
            reliable_change,
            cutoff,
            item_cutoff,
            caseness,
            options,
            bands,
            risk_rules,
            sources,
            copyright,
            loinc_panel,
            loinc_total,
            loinc_answers,
            group,
            languages,
        )

    @property
    def max_total(self) -> int:
        return self.scale_max * len(self.items)

    @property
    def whole_numbers(self) -> bool:
        """Scored in whole numbers (a Likert scale), so shown without a decimal."""
        return self.scale.whole_numbers

    def format_score(self, tenths: int | None) -> str:
        """A score or total as this instrument is read: '25.5' on a line, '12' on the PHQ-9."""
        return format_tenths(tenths, decimals=not self.whole_numbers)

    def option_for(self, tenths: int) -> str:
        """The answer's wording for a Likert score: 10 tenths on the PHQ-9 is 'Several days'."""
        index, rest = divmod(tenths - self.scale_min, self.step)
        if rest or not 0 <= index < len(self.options):
            raise InstrumentError(f"{self.key} has no answer worth {format_tenths(tenths)}")
        return self.options[index]

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise InstrumentError(f"{self.key} has no item {key!r}")

    def cutoff_for(self, age_group: str) -> int | None:
        """The ORS-family clinical cut-off for an age group, or None where none is set."""
        return self.cutoffs.get(age_group)

    def band_for(self, total: int) -> Band | None:
        """The severity band a total falls in (the highest band it reaches), or None."""
        found = None
        for band in self.bands:
            if total >= band.low:
                found = band
        return found

    @property
    def scale(self) -> Scale:
        """Its items and the scores each takes, which is all reading a score needs."""
        return Scale(
            self.key, tuple(i.key for i in self.items), self.scale_min, self.scale_max, self.step
        )

    def parse_score(self, text: str | float | int) -> int:
        """Turn one score as typed into tenths, or say exactly what is wrong with it."""
        return self.scale.parse_score(text)

    def parse_scores(self, texts: list[str]) -> dict[str, int]:
        """All item scores of one administration, in item order, as tenths."""
        return self.scale.parse_scores(texts)


@overload
def _tenths(value: float, where: str) -> int: ...
@overload
def _tenths(value: float | None, where: str) -> int | None: ...
def _tenths(value: float | None, where: str) -> int | None:
    if value is None:
        return None
    tenths = Decimal(str(value)) * 10
    if tenths != tenths.to_integral_value():
        raise InstrumentError(f"{where}: {value} has more than one decimal")
    return int(tenths)


def _build(data: dict, path: Path) -> Instrument:
    """Turn one parsed TOML file into an Instrument, checking every field."""
    where = str(path)
    try:
        instrument = _parse(data, where)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InstrumentError(f"{where}: missing or malformed field {exc}") from None
    _check(instrument, where)
    return instrument


def _family_and_kind(data: dict, where: str) -> tuple[Family, Kind]:
    family = data.get("family", "other")
    kind = data.get("kind", "vas")
    if family not in FAMILIES:
        raise InstrumentError(f"{where}: family must be one of {', '.join(FAMILIES)}")
    if kind not in KINDS:
        raise InstrumentError(f"{where}: kind must be one of {', '.join(KINDS)}")
    return family, kind


def _items(data: dict, where: str) -> tuple[Item, ...]:
    """The items, at least one, with keys unique in the instrument."""
    items = tuple(
        Item(
            key=i["key"],
            label=i["label"],
            description=i.get("description", ""),
            low=i.get("low", ""),
            high=i.get("high", ""),
            loinc=i.get("loinc", ""),
        )
        for i in data["items"]
    )
    if not items:
        raise InstrumentError(f"{where}: an instrument needs at least one item")
    if len({i.key for i in items}) != len(items):
        raise InstrumentError(f"{where}: item keys must be unique")
    return items


def _parse(data: dict, where: str) -> Instrument:
    """Every field of the file, read into an Instrument (scores into tenths); a missing
    field raises KeyError, a malformed one TypeError or AttributeError."""
    key = data["key"]
    family, kind = _family_and_kind(data, where)
    scale = data["scale"]
    items = _items(data, where)
    bands = tuple(
        Band(b["key"], b["label"], _tenths(b["low"], where)) for b in data.get("bands", [])
    )
    risk_rules = tuple(
        RiskRule(r["item"], _tenths(r["at_least"], where), r["flag"], r["message"])
        for r in data.get("risk_rules", [])
    )
    return Instrument(
        key=key,
        name=data["name"],
        family=family,
        kind=kind,
        items=items,
        scale_min=_tenths(scale["min"], where),
        scale_max=_tenths(scale["max"], where),
        step=_tenths(scale.get("step", 0.1 if kind == "vas" else 1), where),
        ages=data.get("ages", ""),
        age_groups=tuple(data.get("age_groups", ())),
        frame=data.get("frame", ""),
        cutoffs={g: _tenths(v, where) for g, v in data.get("cutoffs", {}).items()},
        reliable_change=_tenths(data.get("reliable_change"), where),
        cutoff=_tenths(data.get("cutoff"), where),
        item_cutoff=_tenths(data.get("item_cutoff"), where),
        caseness=_tenths(data.get("caseness"), where),
        options=tuple(data.get("options", ())),
        bands=bands,
        risk_rules=risk_rules,
        sources=tuple(Source(s["text"], s.get("supports", "")) for s in data.get("sources", [])),
        copyright=data.get("copyright", ""),
        loinc_panel=data.get("loinc", {}).get("panel", ""),
        loinc_total=data.get("loinc", {}).get("total", ""),
        loinc_answers=tuple(data.get("loinc", {}).get("answers", ())),
        group=bool(data.get("group", False)),
        languages=tuple(data.get("languages", ())),
    )


def _check(instrument: Instrument, where: str) -> None:
    """What holds across fields: known age groups, one option (and LOINC code) per answer,
    rising bands from the scale's minimum, risk rules on the instrument's own items."""
    unknown = set(instrument.cutoffs) - set(AGE_GROUPS)
    if unknown:
        raise InstrumentError(f"{where}: unknown age group {sorted(unknown)[0]!r} in cutoffs")
    if instrument.kind == "likert" and len(instrument.options) != (
        (instrument.scale_max - instrument.scale_min) // instrument.step + 1
    ):
        raise InstrumentError(f"{where}: a Likert instrument needs one option per answer")
    if instrument.loinc_answers and len(instrument.loinc_answers) != len(instrument.options):
        raise InstrumentError(f"{where}: loinc answers need one code per option")
    lows = [band.low for band in instrument.bands]
    if lows and (lows != sorted(set(lows)) or lows[0] != instrument.scale_min):
        raise InstrumentError(f"{where}: bands must start at the scale's minimum and rise")
    for rule in instrument.risk_rules:
        instrument.item(rule.item)


def _read_toml(path: Path, shipped: bool = False) -> dict:
    """A file of instruments as parsed; ``shipped``: a built-in one, from its kept form
    while that fits (``kept_toml``)."""
    try:
        return read_toml(path) if shipped else parse(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(f"{path}: cannot be read ({exc})") from None
    except ValueError as exc:  # not TOML
        raise InstrumentError(f"{path}: not valid TOML ({exc})") from None


def _apply_wording(base: Instrument, data: dict, path: Path) -> Instrument:
    """A user file for a built-in instrument: replace wording, never scoring."""
    allowed = {"key", "items", "languages", *_WORDING_FIELDS}
    extra = set(data) - allowed
    if extra:
        raise InstrumentError(
            f"{path}: {base.key} is built in; only its wording can be changed, "
            f"not {', '.join(sorted(extra))}"
        )
    changes: dict = {f: data[f] for f in ("name", "frame") if f in data}
    if "languages" in data:  # the language(s) of this wording, e.g. an official translation
        changes["languages"] = tuple(str(code) for code in data["languages"])
    if "options" in data:
        if len(data["options"]) != len(base.options):
            raise InstrumentError(f"{path}: {base.key} needs {len(base.options)} options")
        changes["options"] = tuple(data["options"])
    if "items" in data:
        by_key = {}
        for entry in data["items"]:
            key = entry.get("key") if isinstance(entry, dict) else None
            known = key in {i.key for i in base.items}
            if not known or set(entry) - {"key", *_ITEM_WORDING_FIELDS}:
                raise InstrumentError(
                    f"{path}: each item needs a key of {base.key} and only "
                    f"{', '.join(_ITEM_WORDING_FIELDS)}"
                )
            by_key[key] = {f: entry[f] for f in _ITEM_WORDING_FIELDS if f in entry}
        changes["items"] = tuple(i.replace(**by_key.get(i.key, {})) for i in base.items)
    return base.replace(**changes)


def load_instruments(user_dir: Path | None = None) -> dict[str, Instrument]:
    """The built-in instruments, with the user's wording and added instruments applied.

    Read once per process while the user's files stay as they are.
    """
    files = user_instrument_files(user_dir)
    return _load(tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@cache
def _load(user_files: tuple) -> dict[str, Instrument]:
    found = {}
    for name in BUILTIN_FILES:
        path = _BUILTIN_DIR / f"{name}.toml"
        instrument = _build(_read_toml(path, shipped=True), path)
        found[instrument.key] = instrument
    for path, _, _ in user_files:
        data = _read_toml(path)
        key = data.get("key")
        if not isinstance(key, str):
            raise InstrumentError(f"{path}: needs a key naming the instrument")
        if key in found:
            found[key] = _apply_wording(found[key], data, path)
        else:
            found[key] = _build(data, path)
    return found


def find_instrument(instruments: dict[str, Instrument], key: str) -> Instrument:
    """Look an instrument up by key, ignoring case; the error lists what there is."""
    for known, instrument in instruments.items():
        if known.lower() == key.strip().lower():
            return instrument
    raise InstrumentError(f"unknown instrument {key!r} (known: {', '.join(instruments)})")


def parse_instrument_list(instruments: dict[str, Instrument], text: str) -> tuple[str, ...]:
    """A comma-separated list such as "PHQ-9, ors" as instrument keys, in the order given.

    An empty text gives an empty list (the client's age group then decides); a key named
    twice is refused, since a client would be asked the same questions twice.
    """
    keys = tuple(find_instrument(instruments, k).key for k in text.split(",") if k.strip())
    for n, key in enumerate(keys):
        if key in keys[:n]:
            raise InstrumentError(f"instrument {key} is named twice")
    return keys

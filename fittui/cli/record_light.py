"""``fittui record`` saved the light way: a plain command line, without argparse or the store.

Why: the command runs often, alone in a fresh process, and the full way (``record.py``:
argparse, TinyDB, the journal's reader, the record checks, orjson, the record model) costs
it three times what the save itself does. :func:`plain` takes a plain ``record`` line
(``main.PLAIN``, read by ``cli/light.py``), reads each value in its plainest form only
(``rating_rules.py``), and saves through ``storage/append.py`` when that is sure to write
what the full way would.
Anything else (``--read-only``, an instrument of your own files, a value to refuse, a
database that is not as expected) gives None before anything is written, and the full way
runs as it always has and says what is wrong. Both print the same words (below).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def saved_words(instrument: str, code: str, when: str, total: str) -> str:
    """What a save says, whichever way it went."""
    return f"Saved {instrument} for {code} on {when}: total {total}."


def same_session_words(
    client: str, instrument: str, rater: str, rating_id: str, when: str, saved_id: str
) -> str:
    """The note on the rating the one just saved (``saved_id``) replaces (same instrument,
    rater and day, entered just before it): the later one counts, so the therapist can
    void the one that is wrong, or keep both as two sessions of that day."""
    from fittui.domain.rating_rules import REPLACED_SAME_DAY

    return (
        f"Note: {client} also has {instrument} by {rater} on {when[:10]} "
        f"(id {rating_id}, saved as {when}): one session, the later rating counts. "
        f"'fittui void {rating_id} --reason \"{REPLACED_SAME_DAY}\"' records that it "
        f"was replaced; 'fittui keep-session {saved_id}' counts both, two sessions that day."
    )


def plain(options: dict[str, str | bool], words: list[str]) -> Callable[[], int] | None:
    """Save the rating a plain line gives (``light.plain_words``), and give what prints
    what the full way would; None, having written nothing, when the full way is to save it."""
    said = None if options.get("read_only") else _save(options, *words)
    return None if said is None else lambda: print("\n".join(said)) or 0


def _save(options: dict[str, Any], code: str, typed: str, *scores: str) -> list[str] | None:
    """Check the rating as the full way would and save it; what to print, or None."""
    import os

    from fittui.domain import rating_rules as rules
    from fittui.storage.append import administration_doc, append_rating, new_id
    from fittui.storage.locations import db_path, instruments_dir, today

    if options.get("db", os.environ.get("FITTUI_DB")) == "":
        return None  # an empty path: the full way refuses it
    try:  # your own instruments, which the full way reads
        yours = any(n.endswith(".toml") for n in os.listdir(instruments_dir()))
    except (FileNotFoundError, NotADirectoryError):
        yours = False
    except OSError:
        return None
    key = typed.strip().lower()  # as ``scales.find_scale`` finds it (the keys are ASCII)
    instrument = key.upper() if key.isascii() and not yours else ""
    row = rules.SCALE_ROWS.get(instrument)
    if row is None or len(scores) != len(row[0]):
        return None
    items, lowest, highest, step = row
    scored: dict[str, int] = {}
    for item, score in zip(items, scores):
        if (tenths := rules.plain_tenths(score, lowest, highest, step)) is None:
            return None
        scored[item] = tenths
    when: str | None = rules.now_when()
    rater: str | None = rules.DEFAULT_RATER
    mode: str | None = rules.DEFAULT_MODE
    if {"date", "rater", "mode"} & options.keys():  # read only when one is given
        from fittui.domain.plain_options import plain_mode, plain_rater, plain_when

        when = plain_when(options["date"]) if options.get("date") else when
        rater = plain_rater(options.get("rater", rules.DEFAULT_RATER))
        mode = plain_mode(options.get("mode", rules.DEFAULT_MODE))
    note, day = options.get("note") or "", today()
    if not (when and rater and mode) or when[:10] > day:
        return None
    if note:
        import re  # compiled only for a note

        if re.search(rules.NOTE_CONTROL, note):
            return None
    doc = administration_doc(code, instrument, when, rater, scored, note, mode)
    saved_id = new_id()
    session = append_rating(db_path(options.get("db")), saved_id, doc, day)
    if session is None:
        return None
    total = rules.format_tenths(sum(scored.values()), decimals=step % 10 != 0)
    same = (instrument, rater, when[:10])
    replaces = [  # the latest before it: those before that were replaced, or kept
        (other_id, other["date"])
        for other_id, other in session
        if "voided" not in other
        and (other["instrument"], other.get("rater", rules.DEFAULT_RATER), other["date"][:10])
        == same
    ][-1:]
    return [saved_words(instrument, code, when, total)] + [
        same_session_words(code, instrument, rater, *other, saved_id) for other in replaces
    ]

"""The kept rows file read at once (``summaries.read``): each line checked where it lies,
and a line that does not check out ends what is believed, wherever it is."""

from __future__ import annotations

from pathlib import Path

from fittui.storage import summaries
from fittui.storage.summaries import Head


def entry(at: int) -> dict:
    return {"at": at, "day": "2026-01-01", "until": "9999-12-31", "row": {}}


def kept_file(db: Path) -> Path:
    head = Head(None, "j1", "rules")
    rows = {"A": entry(1), "B": entry(1), "Z": entry(1)}
    summaries.write_all(db, head, rows, archived=["Z"])
    summaries.append(db, "j1", {"A": entry(5)})
    return summaries.summaries_path(db)


def test_lines_read_and_the_newest_entry_kept(tmp_path: Path) -> None:
    db = tmp_path / "fittui.json"
    kept_file(db)
    whole = summaries.read(db)
    assert (whole.head, whole.damaged, whole.whole) == (Head(None, "j1", "rules"), False, True)
    assert {code: e["at"] for code, e in whole.rows.items()} == {"A": 5, "B": 1, "Z": 1}
    active = summaries.read(db, archived=False)
    assert (active.damaged, active.whole) == (False, False)
    assert {code: e["at"] for code, e in active.rows.items()} == {"A": 5, "B": 1}


def test_a_half_written_last_line_is_damage(tmp_path: Path) -> None:
    db = tmp_path / "fittui.json"
    path = kept_file(db)
    path.write_bytes(path.read_bytes()[:-5])  # the appended line cut short, no newline
    kept = summaries.read(db)
    assert kept.damaged
    assert {code: e["at"] for code, e in kept.rows.items()} == {"A": 1, "B": 1, "Z": 1}


def test_nothing_after_a_bad_line_is_believed(tmp_path: Path) -> None:
    db = tmp_path / "fittui.json"
    path = kept_file(db)
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"at":1', b'"at":7', 1)  # the CRC no longer fits
    path.write_bytes(b"\n".join(lines))
    kept = summaries.read(db)
    assert kept.damaged and kept.rows == {}
    assert kept.head == Head(None, "j1", "rules")


def test_a_bad_head_means_no_rows(tmp_path: Path) -> None:
    db = tmp_path / "fittui.json"
    path = kept_file(db)
    path.write_bytes(path.read_bytes().replace(b'"j1"', b'"j2"', 1))  # its CRC fails
    assert summaries.read(db) == summaries.Kept(None, {})
    assert summaries.read_head(db) is None


def test_read_mapped_or_copied_alike(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "fittui.json"
    path = kept_file(db)
    mapped = summaries.read(db)

    def unmappable(*args: object, **kwargs: object) -> None:
        raise OSError("no mapping here")

    monkeypatch.setattr(summaries.mmap, "mmap", unmappable)
    assert summaries.read(db) == mapped
    path.write_bytes(b"")  # an empty file cannot be mapped: read as having nothing
    assert summaries.read(db) == summaries.Kept(None, {})
    monkeypatch.undo()
    assert summaries.read(db) == summaries.Kept(None, {})

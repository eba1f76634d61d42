"""Text from outside is data: control characters refused at input, escaped on output."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from conftest import db_bytes
from fittui.domain.model import InputError
from fittui.domain.outside import check_note, check_plain, shown

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: writes the clipboard
BLANK = "\x1b[2J\x1b[H"  # clears the screen (it hid the PHQ-9 item-9 alert)
CSI_C1 = "\x9b2J"  # the same with the one-byte C1 introducer
# Bidirectional overrides and isolates: "\u202e" shows what follows right to left.
BIDI = ["\u202a", "\u202d", "\u202e", "\u2066", "\u2069"]
HOSTILE = [TITLE, CLIPBOARD, BLANK, CSI_C1, "\x7f", "bell\x07", *BIDI]
# Anything a terminal could act on: C0 but for the line break of print, DEL and C1.
ACTS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def test_shown_writes_out_every_control_character():
    assert shown(TITLE) == "\\x1b]0;pwned\\x07"
    assert shown("a\tb\nc\r\x9b\x7f") == "a\\tb\\nc\\r\\x9b\\x7f"
    assert shown("Tuesday 10am, café") == "Tuesday 10am, café"
    for text in HOSTILE:
        assert not ACTS.search(shown(text)) and not set(BIDI) & set(shown(text))
    assert shown("gut\u202eschlecht") == "gut\\u202eschlecht"


@pytest.mark.parametrize("text", HOSTILE)
def test_codes_and_labels_with_control_characters_are_refused(text):
    with pytest.raises(InputError, match="control character"):
        check_plain(f"Tue{text}", "label")
    with pytest.raises(InputError, match="control character"):
        check_note(f"said{text}")
    assert check_note("two\nlines\tand a tab") == "two\nlines\tand a tab"


@pytest.mark.parametrize("text", HOSTILE)
def test_cli_refuses_control_characters_and_changes_nothing(cli, db, text):
    assert cli("add-client", "C1").code == 0
    before = db_bytes(db)
    for args in (
        ["add-client", "C2", "--label", f"x{text}"],
        ["add-client", f"C{text}"],
        ["edit-client", "C1", "--label", f"x{text}"],
        ["record", "C1", "ORS", "5", "5", "5", "5", "--note", f"x{text}"],
    ):
        result = cli(*args)
        assert result.code == 1, args
        assert not ACTS.search(result.err) and not set(BIDI) & set(result.err)
    assert db_bytes(db) == before


def test_import_refuses_control_characters_with_the_line(cli, db, tmp_path):
    assert cli("add-client", "C1").code == 0
    before = db_bytes(db)
    csv = tmp_path / "in.csv"
    csv.write_text(
        "client,instrument,date,item1,item2,item3,item4,label,note\n"
        f"C2,ORS,2026-01-01,5,5,5,5,Tue{TITLE},fine\n"
        f"C1,ORS,2026-01-02,5,5,5,5,,said{BLANK}\n"
    )
    result = cli("import", csv)
    assert result.code == 1
    assert "in.csv:2: column label" in result.err and "in.csv:3: column note" in result.err
    assert not ACTS.search(result.err)
    assert db_bytes(db) == before


def plant(db: Path, label: str, note: str) -> None:
    """What an old fittui or a hand-edited journal may hold: raw control characters."""
    journal = db.with_name(db.name + ".journal")
    ops = [
        ["put", "clients", "OLD", {"code": "OLD", "age_group": "adult", "label": label}],
        [
            "put",
            "administrations",
            "a1",
            {
                "client": "OLD",
                "instrument": "PHQ-9",
                "date": "2026-01-05",
                "rater": "client",
                "items": {f"item{i}": (1.0 if i == 9 else 0.0) for i in range(1, 10)},
                "note": note,
            },
        ],
    ]
    with journal.open("ab") as f:
        f.write(orjson.dumps({"ops": ops}) + b"\n")


def test_stored_control_characters_are_escaped_in_every_cli_output(cli, db):
    assert cli("add-client", "C1").code == 0
    plant(db, f"Tue{TITLE}{CLIPBOARD}", f"fine{BLANK}{CSI_C1}")
    for args in (
        ["clients"],
        ["clients", "--json"],
        ["history", "OLD"],
        ["history", "OLD", "--json"],
        ["report"],
        ["report", "--json"],
        ["export", "--format", "csv"],
        ["export", "--format", "json"],
    ):
        result = cli(*args)
        assert result.code == 0, (args, result.err)
        assert not ACTS.search(result.out.replace("\r\n", "\n")), args  # CSV ends lines so
    history = cli("history", "OLD").out
    assert "\\x1b[2J" in history
    assert "PHQ-9 item 9" in cli("report").out  # the alert is still there, and visible


async def test_stored_control_characters_never_reach_the_apps_screens(cli, db):
    from fittui.ui.app import make_app

    assert cli("add-client", "C1").code == 0
    plant(db, f"Tue{TITLE}{CLIPBOARD}", f"fine{BLANK}{CSI_C1}")
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not ACTS.search(_screen_text(app))
        assert "Tue\\x1b]0;pwned" in _screen_text(app)
        app.open_history("OLD")
        await pilot.pause(0.5)
        text = _screen_text(app)
        assert not ACTS.search(text)
        assert "Tue\\x1b]0;pwned" in text


def _screen_text(app) -> str:
    """Every character the screen would send, widget by widget."""
    from textual.geometry import Region

    chunks = []
    for widget in app.screen.walk_children(with_self=True):
        region = Region(0, 0, max(widget.size.width, 1), max(widget.size.height, 1))
        for strip in widget.render_lines(region):
            chunks.extend(segment.text for segment in strip)
    return "".join(chunks)


async def test_the_apps_client_form_refuses_a_label_with_control_characters(cli, db):
    from fittui.storage.store import Store
    from fittui.ui.app import make_app
    from fittui.ui.screens.client_form import ClientFormScreen

    assert cli("add-client", "C1").code == 0
    before = db_bytes(db)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ClientFormScreen)
        form.query_one("#code").value = "C2"
        form.query_one("#label").value = f"Tue{TITLE}"
        form._save()
        await pilot.pause()
        assert app.screen is form  # still open, saying why
        error = str(form.query_one("#error").render())
        assert "control character" in error and not ACTS.search(error)
    assert [c.code for c in Store(db).clients()] == ["C1"]
    after = db_bytes(db)
    after.pop("fittui.json.summaries", None)  # the list's rows, kept when the app opened
    assert after == before


def test_a_void_reason_with_control_characters_is_refused(cli, db):
    from fittui.storage.store import Store

    assert cli("add-client", "C1").code == 0
    assert cli("record", "C1", "ORS", "5", "5", "5", "5").code == 0
    store = Store(db)
    [rating] = store.administrations("C1")
    before = db_bytes(db)
    with pytest.raises(InputError, match="control character"):
        store.void(rating.id, f"typo{TITLE}")
    assert db_bytes(db) == before


def test_a_score_written_with_an_underscore_is_not_a_number(cli, db, tmp_path):
    assert cli("add-client", "C1").code == 0
    before = db_bytes(db)
    result = cli("record", "C1", "ORS", "1_0", "2", "3", "4")
    assert result.code == 1 and "score '1_0' is not a number" in result.err
    csv = tmp_path / "in.csv"
    csv.write_text("client,instrument,date,item1,item2,item3,item4\nC1,ORS,2026-01-01,5,1_0,5,5\n")
    result = cli("import", csv)
    assert result.code == 1 and "in.csv:2: column item2" in result.err
    assert db_bytes(db) == before

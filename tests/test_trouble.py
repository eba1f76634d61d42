"""The app never shows a traceback: errors reach a screen in words, what was being saved is
kept beside the database, and the details go to a log only the owner can read."""

from __future__ import annotations

import asyncio
import stat
from datetime import datetime
from pathlib import Path

import orjson
import pytest

from conftest import THERAPIST_PIN, quick_pin, until
from fittui.storage.backup import restore_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.storage.trouble import kept_file, kept_work
from fittui.ui.app import FitApp, make_app
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.trouble import CalmScreen, KeptWorkScreen, TroubleScreen

pytestmark = pytest.mark.usefixtures("private_log")  # conftest: the log in tmp_path


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "data" / "fittui.json"
    store = Store(path)
    store.add_client("C1", label="Other client: Tue 10am")
    store.add_client("C2", label="Thu 4pm")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def restore_without_c1(db: Path, tmp_path: Path) -> None:
    """Another shell restores a backup that lacks the client being rated."""
    from fittui.storage.backup import backup_database

    other = tmp_path / "other" / "fittui.json"
    Store(other).add_client("C2", label="Thu 4pm")
    copy = backup_database(other, datetime(2026, 1, 1, 12), tmp_path / "copies")
    restore_database(db, copy, datetime(2026, 1, 1, 12))


async def test_a_failed_save_in_client_mode_shows_a_calm_line_and_keeps_the_marks(
    db, tmp_path, private_log
):
    app = make_app(db, settings=Settings(pin=quick_pin()), rate=("C1", "ORS", ["client"]))
    with pytest.raises(RuntimeError):  # Pilot re-raises it at the end; no user sees it
        async with app.run_test(size=(80, 24)) as pilot:
            rating = app.screen
            assert isinstance(rating, RatingScreen)
            for n, widget in enumerate(rating.item_widgets):
                widget.value = 40 + n

            def unexpected(*args, **kwargs):  # (a save that fails as expected is calm: rating)
                raise RuntimeError("an error no one foresaw")

            app.store.record = unexpected
            rating.query_one("#done").press()
            await until(pilot, lambda: isinstance(app.screen, CalmScreen))
            assert isinstance(app.screen, CalmScreen)
            words = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert "Your answers are kept" in words and "C2" not in words
            assert rating in app.screen_stack  # the marks stay
            assert [w.value for w in rating.item_widgets] == [40, 41, 42, 43]
            [kept] = kept_work(db)
            assert kept["kind"] == "rating" and kept["client"] == "C1"
            assert list(kept["items"].values()) == [40, 41, 42, 43]
            assert mode(kept_file(db)) == 0o600
            assert "RuntimeError" in private_log.read_text()
            assert mode(private_log) == 0o600 and mode(private_log.parent) == 0o700
            await pilot.press("f2", *THERAPIST_PIN, "enter")  # the therapist key and PIN
            await until(pilot, lambda: isinstance(app.screen, TroubleScreen))
            assert isinstance(app.screen, TroubleScreen)
            # (Keys by hand from here: Pilot's press would wait on the screen that stopped.)
            app.screen.action_back()
            await asyncio.sleep(0.5)
            assert isinstance(app.screen, KeptWorkScreen)  # offered straight back
            app.screen.action_later()
            await asyncio.sleep(0.2)
            assert app.screen.__class__.__name__ == "ClientsScreen" and not app.client_mode
    assert kept_work(db)  # "later": still kept for the next start


async def test_a_restore_without_the_client_mid_rating_keeps_the_marks_calmly(db, tmp_path):
    """A foreseen failure is no crash: the client keeps the marks and a calm line."""
    app = make_app(db, settings=Settings(pin=quick_pin()), rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        rating = app.screen
        for n, widget in enumerate(rating.item_widgets):
            widget.value = 40 + n
        restore_without_c1(db, tmp_path)
        rating.query_one("#done").press()
        await pilot.pause()
        assert app.screen is rating and not isinstance(app.screen, CalmScreen)
        assert "could not be saved" in str(rating.query_one("#message").render())
        assert [w.value for w in rating.item_widgets] == [40, 41, 42, 43]


async def test_kept_ratings_are_offered_at_the_next_start_and_saved(db, tmp_path):
    from fittui.storage.trouble import keep_work

    keep_work(
        db,
        [
            {
                "kind": "rating",
                "client": "C1",
                "instrument": "ORS",
                "rater": "client",
                "when": "2026-01-05T10:00",
                "items": {"individually": 40, "interpersonally": 41, "socially": 42, "overall": 43},
            }
        ],
    )
    app = make_app(db, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: any(isinstance(s, KeptWorkScreen) for s in app.screen_stack))
        assert isinstance(app.screen, KeptWorkScreen)
        await pilot.press("s")
        await until(pilot, lambda: not isinstance(app.screen, KeptWorkScreen))
        assert not isinstance(app.screen, KeptWorkScreen)
    [saved] = Store(db).administrations("C1")
    assert saved.total == 166 and saved.date == "2026-01-05T10:00"
    assert not kept_file(db).exists()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_kept_note_is_not_saved_over_one_written_since(db, size):
    """A note kept when an SSH session dropped, offered at the next start: s wrote it over
    the note another session had saved on that rating since. Now it says what the note
    reads now and keeps the kept one, to save by hand or let go."""
    from fittui.domain.instruments import load_instruments
    from fittui.storage.trouble import keep_work

    ors = load_instruments()["ORS"]
    store = Store(db)
    rated = store.record("C1", ors, {i.key: 50 for i in ors.items}, "2026-01-05T10:00")
    keep = {"kind": "note", "client": "C1", "administration": rated.id}
    keep_work(db, [{**keep, "note": "Typed before the drop", "opened": ""}])
    store.set_note(rated.id, "Written in the other session")
    app = make_app(db, settings=Settings())
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeptWorkScreen))
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, KeptWorkScreen)
        said = str(app.screen.query_one("#kept-message").render())
        assert "Not saved, still kept" in said and "Written in the other session" in said
    assert Store(db).administration(rated.id).note == "Written in the other session"
    assert [w["note"] for w in kept_work(db)] == ["Typed before the drop"]


async def test_an_error_on_a_therapist_screen_reaches_a_screen_in_words(
    db, monkeypatch, private_log
):
    def broken(self, *args, **kwargs):
        raise ValueError("C1 Other client: Tue 10am")  # what a traceback would have shown

    app = make_app(db, settings=Settings())
    with pytest.raises(ValueError):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            monkeypatch.setattr(FitApp, "action_caseload", broken)
            await pilot.press("c")  # the caseload key
            await pilot.pause(0.2)
            if not isinstance(app.screen, TroubleScreen):
                app.action_caseload()  # the key moved: call it as the key would
                await until(pilot, lambda: isinstance(app.screen, TroubleScreen))
            assert isinstance(app.screen, TroubleScreen)
            words = str(app.screen.query_one("Static").render())
            assert "ValueError" in words and str(private_log) in words
            assert "Tue 10am" not in words
            await pilot.press("escape")
            await until(pilot, lambda: app.screen.__class__.__name__ == "ClientsScreen")
            assert app.screen.__class__.__name__ == "ClientsScreen"
            assert app.is_running


async def test_a_damaged_record_in_the_journal_never_gives_a_traceback(db, tmp_path):
    from fittui.storage.journal import StorageError

    journal = db.with_name(db.name + ".journal")
    bad = {
        "client": "C1",
        "instrument": "ORS",
        "date": "not-a-date",
        "rater": "client",
        "items": {"individually": 1e308, "interpersonally": 5, "socially": 5, "overall": 5},
    }
    with journal.open("ab") as f:
        f.write(orjson.dumps({"ops": [["put", "administrations", "bad1", bad]]}) + b"\n")
    try:
        app = make_app(db, settings=Settings())
    except StorageError as exc:  # refused at load, in words: just as good
        assert str(db) in str(exc) or "journal" in str(exc)
        return
    with pytest.raises(Exception) as raised:  # Pilot re-raises what the app caught
        async with app.run_test(size=(80, 24)):
            await asyncio.sleep(0.5)  # (Pilot's pause would wait on the screen that stopped)
            assert isinstance(app.screen, TroubleScreen)
            assert app.is_running
    assert raised.value is app._exception


async def test_when_even_the_trouble_screen_fails_the_app_stops_with_words(
    db, monkeypatch, private_log, capsys
):
    def broken(*args, **kwargs) -> None:
        raise RuntimeError("C1 Other client: Tue 10am")

    app = make_app(db, settings=Settings())
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            monkeypatch.setattr(TroubleScreen, "__init__", broken)  # even the screen fails
            app.call_next(broken)
            await asyncio.sleep(0.5)  # the app closes: Pilot's own pause would wait for it
    assert app.return_code == 1
    printed = " ".join(capsys.readouterr().err.split())
    assert "unexpected error" in printed and "readable by you only" in printed
    assert "Traceback" not in printed and "Tue 10am" not in printed


KEEPER = """
import sys
from pathlib import Path
from fittui.storage.trouble import keep_work, replace_kept_work

db, tag = Path(sys.argv[1]), sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()
mine = None
for n in range(60):
    work = {"kind": "note", "client": tag, "administration": str(n), "note": f"{tag}{n}"}
    if n % 2:
        assert keep_work(db, [work]) is not None
    else:  # as `fittui rate` does: its last kept rating replaced by the newer one
        replace_kept_work(db, mine, work)
        mine = work
print("done", flush=True)
"""


def test_fittuis_keeping_their_work_at_the_same_moment_lose_none_of_it(db):
    """Two fittui (two `fittui rate`, or one and the app) failing to save at the same moment
    each read the kept file, added their own work and wrote it back: one wrote over the
    other, and a rating the client was told was kept was gone (with three keeping 60
    each, 65 of 180 were left)."""
    import subprocess
    import sys

    keepers = [
        subprocess.Popen(
            [sys.executable, "-c", KEEPER, str(db), tag],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("A", "B", "C")
    ]
    for keeper in keepers:
        assert keeper.stdout.readline() == "ready\n", keeper.stderr.read()
    for keeper in keepers:
        keeper.stdin.write("go\n")
        keeper.stdin.flush()
    for keeper in keepers:
        out, err = keeper.communicate(timeout=120)
        assert out == "done\n", err
    kept = sorted(w["note"] for w in kept_work(db))
    # Each kept its odd ones, and of the ones it replaced in turn, the last.
    assert kept == sorted(
        [f"{tag}{n}" for tag in "ABC" for n in range(1, 60, 2)] + ["A58", "B58", "C58"]
    )
    assert mode(kept_file(db)) == 0o600


async def test_letting_kept_work_go_lets_go_only_what_was_listed(db):
    """d on the kept ratings removed the whole file: a rating another fittui kept while the
    list was open, which the therapist never saw, went with it."""
    from fittui.storage.trouble import keep_work

    keep_work(db, [{"kind": "note", "client": "C1", "administration": "a1", "note": "seen"}])
    app = make_app(db, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, KeptWorkScreen))
        later = {"kind": "note", "client": "C2", "administration": "a2", "note": "kept since"}
        keep_work(db, [later])  # another fittui, while the list is open
        await pilot.press("d")
        await until(pilot, lambda: not isinstance(app.screen, KeptWorkScreen))
    assert [w["note"] for w in kept_work(db)] == ["kept since"]


@pytest.mark.parametrize("damaged", [b'[{"kind": "rating", "client": "C1"', b"\xff\xfe", b"{}"])
def test_a_kept_file_that_cannot_be_read_is_set_aside_not_written_over(db, damaged):
    """A kept file fittui could not read (cut short, edited by hand, written by another
    version) counted as nothing waiting, and the next work kept was written over it, with
    whatever ratings it held. It is now set aside beside the database, as it was."""
    from fittui.storage.trouble import keep_work, set_aside

    kept_file(db).write_bytes(damaged)
    work = {"kind": "note", "client": "C1", "administration": "a1", "note": "new"}
    assert keep_work(db, [work]) == kept_file(db)
    assert [w["note"] for w in kept_work(db)] == ["new"]
    [aside] = set_aside(db)
    assert aside.read_bytes() == damaged and aside.parent == db.parent
    assert mode(aside) == 0o600


def test_work_kept_twice_waits_once(db):
    """The app kept a screen's work when an error came, the screen stayed under the
    trouble screen, and the terminal then went away (or Ctrl+Q): the same rating was kept
    again, to be offered, and saved, twice. Work already waiting is not added again."""
    from fittui.storage.trouble import keep_work

    rating = {"kind": "rating", "client": "C1", "instrument": "ORS", "items": {"overall": 5}}
    note = {"kind": "note", "client": "C1", "administration": "a1", "note": "felt heard"}
    keep_work(db, [rating])
    keep_work(db, [rating, note])
    keep_work(db, [note])
    assert [w["kind"] for w in kept_work(db)] == ["rating", "note"]


@pytest.mark.parametrize("unreadable", ["a folder", "a link"])
def test_a_kept_file_that_cannot_be_read_now_is_left_as_it_is(db, tmp_path, unreadable):
    """Only a file that is not as fittui writes it is set aside: one that cannot be read at
    all (its permissions, the disk, a link where the file should be) is left where it is,
    and the work is not kept over it; a link's target is never touched."""
    from fittui.storage.trouble import keep_work, set_aside

    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("[]")
    if unreadable == "a folder":
        kept_file(db).mkdir()
    else:
        kept_file(db).symlink_to(elsewhere)
    work = {"kind": "note", "client": "C1", "administration": "a1", "note": "new"}
    assert keep_work(db, [work]) is None
    assert set_aside(db) == [] and elsewhere.read_text() == "[]"
    assert kept_file(db).is_dir() or kept_file(db).is_symlink()

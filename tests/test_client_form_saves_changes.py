"""The client form saves only what the therapist changed in it: another process's changes
to the same client while the form was open are kept, and a clash is refused, not overwritten."""

from __future__ import annotations

from textual.widgets import Input, Select

from fittui.storage.settings import Settings
from fittui.storage.store import ClientChanged, Store
from fittui.ui.app import make_app
from fittui.ui.screens.client_form import ClientFormScreen


def two_clients(db) -> None:
    store = Store(db)
    store.add_client("K12", label="Tue 10am")
    store.add_client("K13")
    store.add_client("K14")
    store.link("K12", "K14")


async def open_form(app, pilot) -> ClientFormScreen:
    form = ClientFormScreen(app.store.client("K12"))
    app.push_screen(form)
    await pilot.pause()
    return form


async def test_saving_the_label_keeps_what_another_process_saved_meanwhile(tmp_path):
    db = tmp_path / "db.json"
    two_clients(db)
    app = make_app(db, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        other = Store(db)  # a second process: fittui edit-client and fittui link
        other.update_client("K12", instruments=("PHQ-9", "ORS"), language="de")
        other.link("K12", "K13")
        other.update_client("K12", age_group="adolescent")
        form.query_one("#label", Input).value = "Wed 9am"
        form.query_one("#save").press()
        await pilot.pause()
        assert app.screen is not form
    k12 = Store(db).client("K12")
    assert (k12.label, k12.age_group, k12.instruments, k12.language) == (
        "Wed 9am",
        "adolescent",
        ("PHQ-9", "ORS"),
        "de",
    )
    assert set(k12.linked) == {"K13", "K14"}
    assert Store(db).client("K13").linked == ("K12",)


async def test_a_field_changed_in_both_places_is_refused_and_nothing_saved(tmp_path):
    db = tmp_path / "db.json"
    two_clients(db)
    app = make_app(db, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        Store(db).update_client("K12", age_group="adolescent")
        form.query_one("#age-group", Select).value = "child"
        form.query_one("#label", Input).value = "Wed 9am"
        form.query_one("#save").press()
        await pilot.pause()
        assert app.screen is form
        said = str(form.query_one("#error").render())
        assert "K12 was changed elsewhere" in said
        assert "age group: adolescent (13 to 17)" in said
        assert "nothing was saved" in said
        await pilot.pause(0.1)
        assert form.query_one("#error").region.bottom <= 24  # scrolled into view
    k12 = Store(db).client("K12")
    assert (k12.label, k12.age_group) == ("Tue 10am", "adolescent")


async def test_the_form_unlinks_only_the_links_it_changed(tmp_path):
    db = tmp_path / "db.json"
    two_clients(db)
    app = make_app(db, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        Store(db).link("K12", "K13")
        form.query_one("#linked", Input).value = ""  # the therapist unlinks K14
        form.query_one("#save").press()
        await pilot.pause()
    assert Store(db).client("K12").linked == ("K13",)
    assert Store(db).client("K14").linked == ()


def test_the_store_saves_the_same_change_made_twice(tmp_path):
    db = tmp_path / "db.json"
    two_clients(db)
    store = Store(db)
    opened = store.client("K12")
    Store(db).update_client("K12", label="Wed 9am", age_group="child")
    saved = store.edit_client(opened, {"label": "Wed 9am"})  # the same value: no clash
    assert (saved.label, saved.age_group) == ("Wed 9am", "child")
    try:
        store.edit_client(opened, {"age_group": "adolescent"})
    except ClientChanged as exc:
        assert exc.now == {"age_group": "child"}
    else:
        raise AssertionError("a clash was saved")

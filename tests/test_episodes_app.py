"""Episodes of care in the app: the history shows earlier episodes greyed and separated, and
its keys end the current episode (with a reason) and start a new one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fittui.domain.instruments import load_instruments
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.episode import EpisodeEndScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.widgets.row_table import REST_AFTER, RowTable

TODAY = date(2026, 11, 23)
SIZES = [(80, 24), (60, 20)]
INSTRUMENTS = load_instruments()


def ors(total_each: int) -> dict[str, int]:
    return {key: total_each for key in ("individually", "interpersonally", "socially", "overall")}


def srs(each: int) -> dict[str, int]:
    return {key: each for key in ("relationship", "goals_topics", "approach", "overall")}


@pytest.fixture
def two_episodes(tmp_path: Path) -> Path:
    """C1: a first course in 2025 (30.0 -> 34.0), back in October 2026 after ten months."""
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1", label="Back after a gap")
    store.add_client("C2")
    for day, each, alliance in (
        ("2025-01-06", 75, 95),
        ("2025-01-20", 80, 96),
        ("2025-02-03", 85, 97),
        ("2026-10-26", 40, 90),
        ("2026-11-02", 45, 92),
        ("2026-11-09", 55, 94),
    ):
        store.record("C1", INSTRUMENTS["ORS"], ors(each), day)
        store.record("C1", INSTRUMENTS["SRS"], srs(alliance), day)
    store.add_episode_event("C1", "end", "2025-02-03", "planned")
    store.record("C2", INSTRUMENTS["ORS"], ors(50), "2026-11-16")
    store.close()
    return path


def app_for(path: Path, read_only: bool = False):
    return make_app(path, read_only=read_only, settings=Settings(), today=TODAY)


async def open_history(pilot, code: str = "C1") -> HistoryScreen:
    pilot.app.open_history(code)
    await pilot.pause()
    await pilot.pause(REST_AFTER * 4)
    return pilot.app.screen


def table_rows(screen: HistoryScreen) -> list[tuple[str, str]]:
    table = screen.query_one("#sessions", RowTable)
    return [
        (str(table.get_row_at(n)[0]), str(table.get_row_at(n)[5])) for n in range(table.row_count)
    ]


async def test_history_measures_the_current_episode_and_greys_the_earlier(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        who = str(screen.query_one("#who").render())
        # From the new intake 16.0 to 22.0: +6.0, recovered? no: 22 is below 25, improved.
        assert "improved (+6.0 since intake) · 3 sessions" in who
        assert "Episode 2 since 2026-10-26; earlier ones greyed below" in who
        rows = table_rows(screen)
        assert rows[0] == ("── Episode 2", "open")
        assert rows[7] == ("── Episode 1", "planned ending")
        assert [date for date, _ in rows[8:]] == ["2025-02-03"] * 2 + ["2025-01-20"] * 2 + [
            "2025-01-06"
        ] * 2
        table = screen.query_one("#sessions", RowTable)
        assert "dim" in str(table.get_row_at(8)[0].spans[0].style)  # earlier: greyed
        assert not table.get_row_at(1)[0].spans  # the current episode's: as ever
        assert screen.summary.progress.intake.date == "2026-10-26"


async def test_end_then_start_an_episode_from_the_history(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, EpisodeEndScreen)
        question = str(app.screen.query_one("#episode-question").render())
        assert question == "End episode 2 (since 2026-10-26) today: how did it end?"
        await pilot.press("down", "enter")  # the second reason: dropout
        await pilot.pause()
        assert app.screen is screen
        [*_, ended] = app.store.episode_events("C1")
        assert (ended.kind, ended.date, ended.reason) == ("end", "2026-11-23", "dropout")
        assert "Episode 2: 2026-10-26 to 2026-11-23, unplanned ending" in str(
            screen.query_one("#who").render()
        )
        await pilot.press("plus")
        await pilot.pause()
        [*_, started] = app.store.episode_events("C1")
        assert (started.kind, started.date) == ("start", "2026-11-23")
        await pilot.pause(REST_AFTER * 4)
        assert table_rows(screen)[0] == ("── Episode 3", "open")
        assert screen.summary.progress is None  # the next ORS is the new intake


async def test_new_episode_while_open_asks_how_the_open_one_ended(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("plus")
        assert isinstance(app.screen, EpisodeEndScreen)
        assert "Episode 2 (since 2026-10-26) is still open" in str(
            app.screen.query_one("#episode-question").render()
        )
        await pilot.press("1")  # planned
        await pilot.pause()
        events = [(e.kind, e.date, e.reason) for e in app.store.episode_events("C1")]
        assert events[-2:] == [("end", "2026-11-23", "planned"), ("start", "2026-11-23", None)]


async def test_escape_saves_nothing_and_read_only_refuses(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("x", "escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert len(app.store.episode_events("C1")) == 1
    app = app_for(two_episodes, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("x", "plus")
        await pilot.pause()
        assert app.screen is screen
        assert len(app.store.episode_events("C1")) == 1


async def test_the_client_list_counts_the_current_episodes_sessions(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        [c1] = [o for o in app.overviews(True, {}) if o.client.code == "C1"]
        assert (c1.sessions, c1.summary.status, c1.summary.progress.change) == (3, "improved", 60)


async def test_a_note_key_on_an_episode_line_says_so(two_episodes):
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", RowTable).focus()
        await pilot.press("home", "n")
        await pilot.pause()
        assert app.screen is screen  # no note dialog for the "Episode 2" line


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_history_with_two_episodes(snap_compare, two_episodes, size):
    async def run_before(pilot) -> None:
        await open_history(pilot)
        await pilot.press("end")

    assert snap_compare(app_for(two_episodes), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_end_episode_dialog(snap_compare, two_episodes, size):
    async def run_before(pilot) -> None:
        await open_history(pilot)
        await pilot.press("x")

    assert snap_compare(app_for(two_episodes), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_chart_greys_the_earlier_episode(snap_compare, two_episodes, size):
    """The chart before the table: episode 1 in grey, a "┆" where episode 2 starts."""

    async def run_before(pilot) -> None:
        await open_history(pilot)

    assert snap_compare(app_for(two_episodes), run_before=run_before, terminal_size=size)


async def test_a_voided_rating_is_listed_in_the_episode_of_its_day(two_episodes):
    """A rating voided on the last day of an earlier episode is listed under that episode's
    line, not above it under the current one (it belongs to no episode's count)."""
    store = Store(two_episodes)
    last_of_first = [a for a in store.administrations("C1") if a.day == "2025-02-03"]
    store.void(last_of_first[-1].id, "entered twice")
    store.close()
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        rows = table_rows(screen)
        assert rows[7] == ("── Episode 1", "planned ending")
        assert rows[8][0] == "2025-02-03" and rows[8][1].startswith("VOIDED")


async def test_plus_twice_starts_one_episode_not_an_empty_one_ended(two_episodes):
    """+ on an episode started and not yet rated says so and saves nothing: ending it would
    leave an empty episode in the record for good."""
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("plus", "1")  # ends episode 2 (planned), starts episode 3
        await pilot.pause()
        events = len(app.store.episode_events("C1"))
        await pilot.press("plus")
        await pilot.pause()
        assert app.screen is screen
        assert len(app.store.episode_events("C1")) == events
        assert [e.number for e in screen.episodes] == [1, 2, 3]
        assert any(
            "Episode 3 (since 2026-11-23) has no rating yet" in n.message
            for n in app._notifications
        )


async def test_changing_how_an_episode_ended_keeps_the_day_it_ended(two_episodes):
    """x on an episode that ended a week ago changes how it ended, not when: it does not
    run on to today."""
    store = Store(two_episodes)
    store.add_episode_event("C2", "end", "2026-11-16", "planned")
    store.close()
    app = app_for(two_episodes)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot, "C2")
        await pilot.press("x")
        assert isinstance(app.screen, EpisodeEndScreen)
        await pilot.press("2")  # dropout, as the therapist now knows
        await pilot.pause()
        [episode] = screen.episodes
        assert (episode.end, episode.reason) == ("2026-11-16", "dropout")
        assert "Episode 1: 2026-11-16 to 2026-11-16, unplanned ending" in str(
            screen.query_one("#who").render()
        )

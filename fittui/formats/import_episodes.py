"""Imported episode starts and ends checked as ``fittui episode start``/``end`` checks them.

A file's episode rows are read in file order, each against the client's episodes as they
stood on its day: the ratings in the database and in the file up to that day (before it,
for a start: that day's ratings are the new episode's intake), the events already in the
database and those earlier in the file. An end before its episode started, or a start
while one is open, is an error of its row, and nothing is imported; an event already in
the database is skipped as the import skips it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from fittui.domain.episodes import EpisodeEvent, check_end, check_start, split_episodes
from fittui.domain.model import Administration, InputError
from fittui.formats.import_checks import ImportPlan, Problems


def check_imported_events(
    plan: ImportPlan,
    name: str,
    ratings: Mapping[str, Sequence[Administration]],
    events: Mapping[str, Sequence[EpisodeEvent]],
    gap_days: int,
) -> None:
    """Raise ImportFailed naming every episode row of ``name`` the CLI would refuse.

    ``ratings`` and ``events`` are the database's counted ratings and episode events by
    client code, in entry order.
    """
    p = Problems(name)
    mine = {
        code: [*ratings.get(code, ()), *_counted(plan.administrations, code)]
        for code in {e.client for e in plan.episode_events}
    }
    so_far = {code: list(events.get(code, ())) for code in mine}
    saved = Counter((e.client, e.kind, e.date, e.reason) for e in _all(events))
    for event, where in zip(plan.episode_events, plan.episode_places, strict=True):
        same = (event.client, event.kind, event.date, event.reason)
        if saved[same] > 0:  # already here: the import skips it
            saved[same] -= 1
            continue
        day = event.date[:10]
        before = [
            a for a in mine[event.client] if a.day < day or (a.day == day and event.kind == "end")
        ]
        episodes = split_episodes(before, so_far[event.client], gap_days, day)
        try:
            if event.kind == "start":
                check_start(episodes, day)
            else:
                check_end(episodes, day, event.reason or "")
        except InputError as exc:
            p.add(where, f"{event.client}: {exc}")
            continue
        so_far[event.client].append(event)
    p.stop_if_any()


def _counted(administrations: Iterable[Administration], code: str) -> list[Administration]:
    return [a for a in administrations if a.client == code and a.voided is None]


def _all(events: Mapping[str, Sequence[EpisodeEvent]]) -> list[EpisodeEvent]:
    return [e for theirs in events.values() for e in theirs]

"""The documentation snippet, its template, and who the lists put first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fittui.domain.model import InputError
from fittui.domain.overview import overviews
from fittui.domain.scoring import attention, summarize
from fittui.domain.snippet import DEFAULT_TEMPLATE, check_template, make_snippet
from fittui.storage.demo import demo_records
from fittui.storage.settings import load_settings

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo():
    clients, administrations = demo_records(TODAY)
    return {c.code: c for c in clients}, administrations


def snippet_of(code, demo, instruments, template=DEFAULT_TEMPLATE):
    clients, administrations = demo
    mine = [a for a in administrations if a.client == code]
    summary = summarize(clients[code], mine, instruments)
    return make_snippet(clients[code], summary, mine, instruments, template)


def test_snippet_names_the_numbers_the_low_item_and_the_patterns(demo, instruments):
    assert snippet_of("D06", demo, instruments) == (
        "ORS 22.6/40 (below the cut-off of 25.0; +1.6 since intake). SRS 30.3/40 (below 36). "
        "Lowest SRS item: Approach or method 5.0/10. Patterns: Sudden alliance drop; "
        "Item dropped. "
        "Felt too structured; wants more open time."
    )


def test_snippet_leaves_out_what_is_not_there(demo, instruments):
    # A first visit: no change, no SRS yet, no pattern beyond the lowest item, no note.
    assert snippet_of("D10", demo, instruments) == (
        "ORS 18.0/40 (below the cut-off of 25.0). Lowest ORS item: Individually 3.9/10. "
        "Patterns: No SRS this session."
    )
    assert snippet_of("D08", demo, instruments) == "YCORS 3.5/10. YCSRS 8.0/10."


def test_snippet_says_only_what_was_rated_in_the_latest_session(instruments):
    """An SRS, an ORS or a lowest item from an earlier session is not the latest session's:
    the snippet says "No SRS this session" and nothing of the earlier SRS."""
    from fittui.domain.model import Administration, Client

    def rating(day: str, key: str, *scores: int, note: str = "") -> Administration:
        items = dict(zip([i.key for i in instruments[key].items], scores))
        return Administration(f"{key}{day}", "M1", key, day, items, note=note)

    client = Client("M1")
    earlier = [
        rating("2026-11-10", "ORS", 50, 50, 50, 50),
        rating("2026-11-10", "SRS", 80, 90, 90, 90),
    ]
    latest = rating("2026-11-17", "ORS", 55, 50, 50, 50, note="Hard week at work")
    mine = [*earlier, latest]
    snippet = make_snippet(client, summarize(client, mine, instruments), mine, instruments)
    assert snippet == (
        "ORS 20.5/40 (below the cut-off of 25.0; +0.5 since intake). "
        "Lowest ORS item: Interpersonally 5.0/10. Patterns: No SRS this session. "
        "Hard week at work."
    )
    level = rating("2026-11-21", "ORS", 60, 60, 60, 60)
    snippet = make_snippet(
        client, summarize(client, [*mine, level], instruments), [level], instruments
    )
    assert "Lowest" not in snippet  # all four equal: none is lowest
    srs_only = [*mine, rating("2026-11-24", "SRS", 90, 90, 90, 95)]
    snippet = make_snippet(client, summarize(client, srs_only, instruments), srs_only, instruments)
    assert snippet.startswith("SRS 36.5/40.") and "ORS" not in snippet.replace("SRS", "")


def test_snippet_template_is_the_users(demo, instruments):
    template = "{date} {client}: {srs} Next: ask about it."
    assert snippet_of("D02", demo, instruments, template).endswith(
        ": SRS 36.4/40. Next: ask about it."
    )
    with pytest.raises(InputError, match=r"unknown field \{srss\}.*\{srs\}"):
        check_template("{srss}")
    with pytest.raises(InputError, match="snippet template"):
        check_template("{ors")


def test_settings_file_sets_and_checks_the_template(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[notes]\nsnippet = "{srs} {note}"\n')
    assert load_settings(path).snippet == "{srs} {note}"
    path.write_text('[notes]\nsnippet = "{name}"\n')
    with pytest.raises(InputError, match=r"settings.toml: snippet template: unknown field"):
        load_settings(path)


def test_attention_ranks_risk_above_everything_and_more_signals_higher(demo, instruments):
    clients, administrations = demo
    ranked = overviews(
        [c for c in clients.values() if not c.archived],
        {code: [a for a in administrations if a.client == code] for code in clients},
        instruments,
        TODAY,
    )
    # D09's couple split (and the partner's low SRS) ranks before D02's single drop.
    assert [o.client.code for o in ranked][:5] == ["D04", "D06", "D09", "D02", "D03"]
    assert [o.attention for o in ranked] == sorted((o.attention for o in ranked), reverse=True)
    d06 = ranked[1]
    assert d06.sessions == 2 and d06.last_seen == "2026-11-15" and d06.days_since == 8
    # D04's latest PHQ-9 answered item 9: a risk answer outranks any number of other flags.
    assert ranked[0].summary.flags[0] == "phq9_item9" and ranked[0].attention >= 1000
    no_alert = replace(ranked[0].summary, alerts=(), flags=ranked[0].summary.flags[1:])
    assert attention(no_alert) < 1000

"""What to look at: a risk alert, flags, a split alliance and the patterns, with what to ask.

Shared by the hand-back result and the history screen, so both say the same thing in the
same words.
"""

from __future__ import annotations

from textual.content import Content

from fittui.domain.display import signed
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import Administration
from fittui.domain.scoring import RaterSummary, RiskAlert, Summary, describe_flag


def look_at(
    summary: Summary,
    alliances: list[tuple[str, tuple[Administration, ...]]],
    instruments: dict[str, Instrument],
) -> Content:
    """Flags, split alliances (day, that day's SRS ratings) and patterns with questions.
    A risk flag is left to the alert the screen shows above everything, which says more."""
    lines: list[Content] = [
        Content.from_markup("[b]! Scale[/b]: $words", words=words) for words in summary.warnings
    ]
    alerted = {alert.rule.flag for alert in summary.alerts}
    if alliances:
        alerted.add("split_alliance")  # the split-alliance line below says more
    for flag in summary.flags:
        if flag in alerted:
            continue
        symbol, words = describe_flag(flag)
        if flag == "ors_below_cutoff":
            words = f"{words} ({format_tenths(summary.cutoff)})"
        lines.append(Content.from_markup(f"[b]{symbol}[/b] $words", words=words))
    for day, ratings in alliances:
        one_client = len({a.client for a in ratings}) == 1
        totals = ", ".join(f"{_person(a, one_client)} {format_tenths(a.total)}" for a in ratings)
        lines.append(
            Content.from_markup(
                "[b]⇆ Split alliance[/b] on $day: SRS totals differ by 5 or more ($totals). "
                "Ask each person what would make the sessions work better for them.",
                day=day,
                totals=totals,
            )
        )
    lines.extend(_rater_line(rater) for rater in summary.raters if rater.ors)
    for pattern in summary.patterns:
        lines.append(
            Content.from_markup(
                "[b]$title[/b]: $detail", title=pattern.title, detail=pattern.detail
            )
        )
        lines.extend(Content.from_markup("  → $q", q=q) for q in pattern.questions)
    if not lines:
        lines.append(Content("Nothing stands out yet: ask what the scores mean to the client."))
    return Content("\n").join(lines)


def _person(a: Administration, one_client: bool) -> str:
    """Who gave a rating: the rater, with the client's code when a case spans two codes."""
    if one_client:
        return a.rater
    return a.client if a.by_client else f"{a.client} {a.rater}"


def _rater_line(rater: RaterSummary) -> Content:
    """A collateral rater's own ORS course, beside the client's and never counted in it."""
    progress = rater.progress
    assert progress is not None
    course = f"intake {format_tenths(progress.intake.total)}"
    if progress.change is not None:
        course += f", latest {format_tenths(progress.latest.total)} ({signed(progress.change)})"
    return Content.from_markup(
        "[b]$who's $key[/b]: $course, $status (shown apart, not counted in the client's).",
        who=rater.rater.capitalize(),
        key=progress.latest.instrument,
        course=course,
        status=rater.status,
    )


def alert_text(alerts: tuple[RiskAlert, ...]) -> Content:
    """The risk alerts, each with what to do, in plain words that label no one."""
    lines: list[Content] = []
    for alert in alerts:
        lines.append(Content.from_markup("[b]⚠ $headline[/b]", headline=alert.headline))
        lines.append(Content(alert.rule.message))
    return Content("\n").join(lines)

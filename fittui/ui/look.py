"""What to look at: a risk alert, flags, a split alliance and the patterns, with what to ask.

Shared by the hand-back result and the history screen, so both say the same thing in the
same words.
"""

from __future__ import annotations

from textual.content import Content

from fittui.domain.display import signed
from fittui.domain.flags import describe_flag
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.language import N_, _
from fittui.domain.model import Administration
from fittui.domain.scoring import RaterSummary, RiskAlert, Summary
from fittui.ui.cells import first_upper


def look_at(
    summary: Summary,
    alliances: list[tuple[str, tuple[Administration, ...]]],
    instruments: dict[str, Instrument],
) -> Content:
    """Flags, split alliances (day, that day's SRS ratings) and patterns with questions.
    A risk flag is left to the alert the screen shows above everything, which says more."""
    lines: list[Content] = [
        Content.from_markup(_("[b]! Scale[/b]: $words"), words=words) for words in summary.warnings
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
                _(
                    "[b]⇆ Split alliance[/b] on $day: SRS totals differ by 5 or more ($totals). "
                    "Ask each person what would make the sessions work better for them."
                ),
                day=day,
                totals=totals,
            )
        )
    lines.extend(_rater_line(rater) for rater in summary.raters if rater.ors)
    for pattern in summary.patterns:
        lines.append(
            Content.from_markup(
                "[b]$title[/b]: $detail", title=_(pattern.title), detail=pattern.detail
            )
        )
        lines.extend(Content.from_markup("  → $q", q=_(q)) for q in pattern.questions)
    if not lines:
        lines.append(Content(_("Nothing stands out yet: ask what the scores mean to the client.")))
    return Content("\n").join(lines)


# The usual raters, translated where a line names them; any other name shows as typed.
RATER_WORDS = (N_("client"), N_("partner"), N_("parent"), N_("teacher"))


def _person(a: Administration, one_client: bool) -> str:
    """Who gave a rating: the rater, with the client's code when a case spans two codes."""
    if one_client:
        return _(a.rater)
    return a.client if a.by_client else f"{a.client} {_(a.rater)}"


def _rater_line(rater: RaterSummary) -> Content:
    """A collateral rater's own ORS course, beside the client's and never counted in it."""
    progress = rater.progress
    assert progress is not None
    course = _("intake {score}").format(score=format_tenths(progress.intake.total))
    if progress.change is not None:
        course += _(", latest {score} ({change})").format(
            score=format_tenths(progress.latest.total), change=signed(progress.change)
        )
    return Content.from_markup(
        _("[b]$who's $key[/b]: $course, $status (shown apart, not counted in the client's)."),
        who=first_upper(_(rater.rater)),
        key=progress.latest.instrument,
        course=course,
        status=_(rater.status),
    )


# The risk messages of the built-in instruments (their files' ``message``), for the
# therapist catalog: shown in the therapist's language, a user's own in its own words.
RISK_MESSAGES = (
    N_(
        "Ask about these thoughts today, before the client leaves: how often they come, how "
        "strong they are, and what helps keep the client safe. Follow your service's safety "
        "procedure."
    ),
)


def alert_text(alerts: tuple[RiskAlert, ...]) -> Content:
    """The risk alerts, each with what to do, in plain words that label no one."""
    lines: list[Content] = []
    for alert in alerts:
        lines.append(Content.from_markup("[b]⚠ $headline[/b]", headline=alert.headline))
        lines.append(Content(_(alert.rule.message)))
    return Content("\n").join(lines)

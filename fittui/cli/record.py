"""``fittui record``: save one administration typed on the command line."""

from __future__ import annotations

import argparse

from fittui.cli.arguments import add_rater
from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, database, seal_daily_backups
from fittui.cli.output import say_same_session
from fittui.cli.record_light import saved_words
from fittui.domain.rating_rules import DEFAULT_MODE


def register(commands: Commands) -> None:
    """``record`` and its arguments."""
    p = commands.add("record", cmd_record, writes=True)
    p.add_argument("code", metavar="CODE")
    known = "ORS, SRS, CORS, CSRS, YCORS, YCSRS, GSRS, PHQ-9, GAD-7"
    p.add_argument("instrument", metavar="INSTRUMENT", help=known)
    p.add_argument(
        "scores",
        metavar="SCORE",
        nargs="+",
        help="one score per item: 0.0 to 10.0 on a line, 0 to 3 on the PHQ-9 and GAD-7",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was rated (default: now)")
    add_rater(p)
    p.add_argument("--note", metavar="TEXT", help="the client's words, kept with the rating")
    p.add_argument(
        "--mode",
        default=DEFAULT_MODE,
        metavar="MODE",
        help="how it was taken: in_person (default), screen_share, spoken, remote_form, paper",
    )


def cmd_record(args: argparse.Namespace) -> int:
    """Save the rating through the database alone (``storage/ratings.py``), its scores read
    with the instrument's scale (``domain/scales.py``): the same checks and the same save as
    the app's, without loading the rest of the store nor the instruments' files. The full
    way of ``record``: a plain line is saved lighter still when it can be
    (``record_light.py``), and this way notes the journal it read and checked whole, so that
    the next one can."""
    from fittui.domain.model import (
        Administration,
        check_mode,
        check_not_future,
        check_rater,
        now_when,
        parse_when,
    )
    from fittui.domain.scales import find_scale
    from fittui.storage.append import keep_checked
    from fittui.storage.journal import new_id
    from fittui.storage.ratings import UnknownClient, counted, open_database, save_administrations
    from fittui.storage.records import known_scales

    instrument = find_scale(known_scales(), args.instrument)
    items = instrument.parse_scores(args.scores)
    when = check_not_future(parse_when(args.date)) if args.date else None
    rater = check_rater(args.rater)
    mode = check_mode(args.mode)
    db = open_database(database(args), read_only=args.read_only)
    seal_daily_backups(db.storage)
    if not db.storage.has_client(args.code):
        raise UnknownClient(args.code)
    note = args.note or ""
    rating = Administration(
        new_id(), args.code, instrument.key, when or now_when(), items, rater, note, mode=mode
    )
    [saved] = save_administrations(db, [rating])
    total = instrument.format_score(saved.total)
    print(saved_words(instrument.key, args.code, saved.date, total))
    say_same_session(saved, counted(db.storage.client_records(saved.client)))
    checked = db.storage.checked_journal()
    if checked is not None:
        keep_checked(db.storage.path, *checked)
    return EXIT_OK

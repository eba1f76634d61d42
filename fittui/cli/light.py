"""The plain forms of the commands that run most often, read without argparse.

Why: importing argparse and building the parser costs a fresh process a few milliseconds,
as much as some commands' own work (``fittui history CODE --json``, ``fittui record``).
:func:`plain_words` reads a command line only when every word is plain: the command's
words, and options written out in full, each once (``--db PATH`` or ``--db=PATH``, flags
such as ``--json``). Anything else (a shortened option, ``-h``, ``--``, a value that starts
with a dash, an option twice) gives None, and the caller hands the line to argparse, which
reads it the way it always has and says what is wrong. So the two can never disagree on a
line both read: the light reading is the parser's own on the lines it accepts.

:func:`run_plain` runs what the light reading found as ``commands.run`` runs a command:
the privacy warnings first, the same one line on stderr for a failure, the daily backup
waited for.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# Accepted by every command, before it or after it (``commands.common_options``).
COMMON_VALUED = frozenset({"db"})
COMMON_FLAGS = frozenset({"read-only"})
COMMON = COMMON_VALUED | COMMON_FLAGS


def plain_words(
    arguments: Sequence[str],
    command: str,
    valued: frozenset[str] = frozenset(),
    flags: frozenset[str] = frozenset(),
    words_from: int = 1,
    words_to: int | None = None,
) -> tuple[dict[str, str | bool], list[str]] | None:
    """The options (by name, ``read-only`` as ``read_only``) and the words after the
    command, when ``arguments`` is ``command`` with ``words_from`` to ``words_to`` plain
    words and these options (besides --db and --read-only); else None.

    The words are the command's arguments in order, the last taking all the rest when
    ``words_to`` is None (argparse's ``nargs="+"``). As argparse, once the words have
    reached that last one, an option ends them: a word after it is refused (argparse
    gives all the words before the option to the last argument, and none is left for it).
    """
    valued, flags = valued | COMMON_VALUED, flags | COMMON_FLAGS
    options: dict[str, str | bool] = {}
    words: list[str] | None = None  # until the command
    ended = False
    given = iter(arguments)
    for word in given:
        if word[:1] != "-" or word == "-":
            if words is None and word == command:
                words = []
            elif words is None or ended:
                return None
            else:
                words.append(word)
            continue
        ended = words is not None and len(words) >= words_from
        name, equals, value = word[2:].partition("=")
        key = name.replace("-", "_")
        if word[1] != "-" or key in options or (words is None and name not in COMMON):
            return None  # "--" too: no option has an empty name
        if name in flags and not equals:
            options[key] = True
        elif name in valued and (equals or (value := next(given, "-"))[:1] != "-"):
            options[key] = value
        else:
            return None
    if words is None or len(words) < words_from or (words_to is not None and len(words) > words_to):
        return None
    return options, words


def run_plain(db: str | None, command: Callable[[], int], read_only: bool = False) -> int:
    """Run ``command`` on the database ``db`` names as ``commands.run`` runs one: its
    privacy warnings (changing nothing when ``read_only``), its exit status, one line on
    stderr if it fails. ``failure.py`` is
    loaded only for a failure, or for a daily backup to wait for (one a day)."""
    import sys

    from fittui.storage.locations import warn_about_privacy

    try:
        warn_about_privacy(db, read_only)
        return command()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # no traceback ever reaches a user
        from fittui.cli.failure import failed

        return failed(exc)
    finally:
        if "fittui.storage.daily" in sys.modules:
            from fittui.cli.failure import wait_for_backups

            wait_for_backups()

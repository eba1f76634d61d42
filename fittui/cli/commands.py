"""The command line's parser and its dispatch: every command's name and one-line help in one
table, and the module that adds its arguments and handles it, imported only when that
command is run; then the run itself, with --read-only and errors handled for every command.

``fittui --help`` is built from the table alone, and ``fittui CMD`` imports one command
module: a fresh interpreter pays for every module it compiles, and these run often. Each
module has a ``register(commands)`` that adds its arguments beside the code that uses them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from importlib import import_module

from fittui import __version__

Handler = Callable[[argparse.Namespace], int]
# A command writes files always (True), never (False), or when an option says so.
Writes = bool | Callable[[argparse.Namespace], bool]

# What --help says of each command, in the order it lists them.
HELP = {
    "clients": "list clients",
    "add-client": "add a client by code (not a real name)",
    "edit-client": "change a client's session instruments, label or age group",
    "link": "link two clients as one case (a couple or family under two codes)",
    "unlink": "make two linked clients separate cases again",
    "record": "save one administration from the command line",
    "history": "a client's administrations, with a chart on a terminal",
    "void": "mark a rating as entered in error: kept in the history, counted nowhere",
    "unvoid": "count a voided rating again",
    "move": "give a rating saved under the wrong client to the right one",
    "redate": "fix the date (and time) a rating was given",
    "keep-session": "count a second rating of the day as a session of its own",
    "report": "one line per client: status, change, flags",
    "import": "import administrations from CSV or a fittui JSON export, all or nothing",
    "export": "write clients and ratings as CSV, JSON, FHIR or a page",
    "backup": "write a dated copy of the database",
    "backup-key": "make a key to encrypt the daily backups (see settings.toml [backups])",
    "restore": "replace the database with a backup, keeping the current one",
    "rate": "one person rates at their own keyboard (telehealth); fittui exits after the thanks",
    "pin": "the therapist's PIN, which leaves client mode",
    "episode": "a client's episodes of care: start, end, list",
    "form": "write a rating form the client fills in at home (one HTML file)",
    "enter": "save the code a client read back from a home form",
    "etr": "the expected treatment response: is each client on track?",
    "demo": "make a demo database of fictional clients and open it",
}
# The module of fittui.cli that registers and runs each command (its ``register``).
FAMILIES = {
    "clients": ("clients", "add-client", "edit-client", "link", "unlink"),
    "record": ("record",),
    "history": ("history",),
    "correct": ("void", "unvoid", "move", "redate", "keep-session"),
    "report": ("report",),
    "transfer": ("import", "export"),
    "backup": ("backup", "backup-key", "restore"),
    "app": ("rate",),
    "pin": ("pin",),
    "episode": ("episode",),
    "forms": ("form", "enter"),
    "etr": ("etr",),
    "demo": ("demo",),
}
MODULES = {name: module for module, names in FAMILIES.items() for name in names}


def common_options() -> argparse.ArgumentParser:
    """--db and --read-only, accepted before the command and after it alike."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $FITTUI_DB, else the per-user data folder)",
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open without ever writing or taking the write lock",
    )
    return common


class Commands:
    """Where a command module adds its commands (``register``): ``add`` gives the command's
    parser to add arguments to, with its handler set; ``nested`` the commands under one
    (``fittui etr fit``)."""

    def __init__(
        self,
        action: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
    ) -> None:
        self._action = action
        self._common = common

    def add(
        self, name: str, handler: Handler, help: str | None = None, writes: Writes = False
    ) -> argparse.ArgumentParser:
        """The parser of ``name`` (a top-level command is listed already, with the table's
        help), handled by ``handler``; ``writes`` says when --read-only refuses it."""
        parser = self._action.choices.get(name) if help is None else None
        if parser is None:
            parser = self._action.add_parser(
                name, help=help, description=help, parents=[self._common]
            )
        # The command as typed ("episode start"), for the messages that name it.
        command = parser.prog.removeprefix("fittui ")
        parser.set_defaults(func=handler, writes=writes, command=command)
        return parser

    def nested(self, parser: argparse.ArgumentParser, required: bool = False) -> Commands:
        """The commands under ``parser``'s command, e.g. ``start`` under ``episode``."""
        action = parser.add_subparsers(title="commands", metavar="COMMAND", required=required)
        return Commands(action, self._common)


# argparse's class is generic only to type checkers; subscripting it fails at run time.
class _LazyCommands(argparse._SubParsersAction):
    """The top-level commands: the chosen one's module adds its arguments just before its
    arguments are parsed, so the others are never imported."""

    common: argparse.ArgumentParser

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[object] | None,
        option_string: str | None = None,
    ) -> None:
        name = values[0] if isinstance(values, list) else None
        if isinstance(name, str) and name in MODULES:
            import_module(f"fittui.cli.{MODULES[name]}").register(Commands(self, self.common))
        super().__call__(parser, namespace, values, option_string)


def open_app(args: argparse.Namespace) -> int:
    """``fittui`` with no command: the app."""
    from fittui.cli.app import run_app

    return run_app(args)


def named_command(arguments: Sequence[str]) -> str | None:
    """The command a command line names (its first word after --db PATH and --read-only,
    which argparse also takes shortened), when it is one of the table's; None when it
    names none, or something before it (--help, say) needs the whole parser."""
    words = iter(arguments)
    for word in words:
        if len(word) > 2 and "--db".startswith(word):
            next(words, None)
        elif word.startswith("--db=") or (len(word) > 2 and "--read-only".startswith(word)):
            continue
        elif word.startswith("-"):
            return None
        else:
            return word if word in HELP else None
    return None


def build_parser(arguments: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the whole command line, every command listed with its help; given
    the ``arguments`` of a known command, only that command's (each parser costs a
    command's start a quarter of a millisecond, and --help lists them all)."""
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="fittui",
        description="Feedback-Informed Treatment in the terminal: ORS and SRS, private, offline.",
        epilog="Run 'fittui' with no command to open the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"fittui {__version__}")
    parser.set_defaults(func=open_app, writes=False)
    parser.register("action", "parsers", _LazyCommands)
    action = parser.add_subparsers(title="commands", metavar="COMMAND")
    assert isinstance(action, _LazyCommands), "registered just above"
    action.common = common
    named = None if arguments is None else named_command(arguments)
    for name, help in HELP.items():
        if named is None or name == named:
            action.add_parser(name, help=help, description=help, parents=[common])
    return parser


def run(arguments: list[str]) -> int:
    """Parse the command line, run the command, and turn a failure into one line on stderr
    and its exit status."""
    args = build_parser(arguments).parse_args(arguments)
    from fittui.cli.failure import failed, wait_for_backups  # after --help has exited
    from fittui.storage.locations import warn_about_privacy

    args.db = getattr(args, "db", None)
    args.read_only = getattr(args, "read_only", False)
    # A terminal the client holds (``fittui rate``) is told nothing of the files: the
    # therapist's own next command says it (a backup that failed is tried again then).
    clients = getattr(args, "clients_terminal", False)
    try:
        _refuse_writing(args)
        if not clients:
            warn_about_privacy(args.db, args.read_only)
        code: int = args.func(args)
        return code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # no traceback ever reaches a user
        return failed(exc)
    finally:
        wait_for_backups(say=not clients)


def _refuse_writing(args: argparse.Namespace) -> None:
    """Refuse a writing command under --read-only."""
    from fittui.cli.common import CliError

    writes = args.writes(args) if callable(args.writes) else args.writes
    if args.read_only and writes:
        raise CliError(f"'{args.command}' writes files; it cannot run with --read-only")

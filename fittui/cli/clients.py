"""The clients: list them, add one, change one, link two as one case and unlink them.

``clients --json`` is printed by ``caseload.py`` (as kept beside the data, while that
holds), which imports this module only for the rows it derives (:func:`json_rows`).
"""

from __future__ import annotations

# Not typing's: typing costs a command 2 ms to import, argparse, datetime and the
# commands' common module another 4; each function imports what it uses, so deriving the
# rows for caseload.py loads only what that needs. mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from datetime import date
    from typing import Any

    from fittui.cli.commands import Commands
    from fittui.domain.model import Client
    from fittui.storage.derived import Rules
    from fittui.storage.store import Store

AGE_GROUPS = ["adult", "adolescent", "child", "young_child"]
SESSION = "what the client rates at the start of a session, in order"
LANGUAGE = "the language the client reads their screens in, e.g. de (default: yours)"


def register(commands: Commands) -> None:
    """The client commands and their arguments."""
    p = commands.add("clients", cmd_clients)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add("add-client", cmd_add_client, writes=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--age-group", default="adult", choices=AGE_GROUPS)
    p.add_argument("--label", metavar="TEXT", help="an optional label the therapist recognises")
    new = f"{SESSION}, e.g. 'PHQ-9,GAD-7,ORS' (default: the age group's ORS-family scale)"
    p.add_argument("--instruments", metavar="LIST", help=new)
    p.add_argument("--language", metavar="CODE", help=LANGUAGE)

    p = commands.add("edit-client", cmd_edit_client, writes=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--instruments", metavar="LIST", help=f"{SESSION}; '' for the default")
    p.add_argument("--label", metavar="TEXT")
    p.add_argument("--age-group", choices=AGE_GROUPS)
    p.add_argument("--language", metavar="CODE", help=f"{LANGUAGE}; '' for yours")

    for name, handler in (("link", cmd_link), ("unlink", cmd_unlink)):
        p = commands.add(name, handler, writes=True)
        p.add_argument("code", metavar="CODE")
        p.add_argument("other", metavar="OTHER")


def cmd_clients(args: argparse.Namespace) -> int:
    if args.json:
        from fittui.cli.caseload import print_caseload

        return print_caseload(args.db, args.read_only, "clients")
    from datetime import date

    from fittui.cli.common import EXIT_OK, caseload_rules, open_store
    from fittui.cli.output import print_table

    rows = json_rows(open_store(args), caseload_rules(strict=False), date.today())
    if not rows:
        print("No clients yet. Add one with: fittui add-client CODE")
    else:
        print_table(
            ["CODE", "LABEL", "AGE GROUP", "STATE", "RATINGS", "LAST SEEN", "SESSION"],
            [_client_row(r) for r in rows],
        )
    return EXIT_OK


def json_rules() -> tuple[Rules, bool]:
    """The caseload's rules, and whether they are your files' as they are: the list shows
    no score, so when your instrument, model or settings files cannot be read it shows the
    clients under fittui's own rules, as it always could."""
    from fittui.cli.common import caseload_rules

    try:
        return caseload_rules(), True
    except ValueError:
        return caseload_rules(strict=False), False


def json_rows(store: Store, rules: Rules, today: date) -> list[dict[str, Any]]:
    """Each client as ``clients --json`` prints them."""
    from fittui.domain.outside import shown

    rows: list[dict[str, Any]] = []
    # The records and kept rows as they are (``Store.client_row_docs``): thousands of
    # clients, and no object made for each; the fields as ``client_from_doc`` reads them.
    for doc, row in store.client_row_docs(rules, today).values():
        rows.append(
            {
                "code": doc["code"],
                "label": shown(doc.get("label", "")),
                "age_group": doc["age_group"],
                "archived": bool(doc.get("archived", False)),
                "administrations": row["administrations"],
                "last_seen": row["last_seen"],
                "instruments": list(doc.get("instruments", ())),
                "language": doc.get("language", ""),
            }
        )
    return rows


def _client_row(r: dict[str, Any]) -> list[str]:
    return [
        r["code"],
        r["label"],
        r["age_group"],
        "archived" if r["archived"] else "active",
        str(r["administrations"]),
        r["last_seen"] or "-",
        ",".join(r["instruments"]) or "default",
    ]


def _session_words(client: Client) -> str:
    """What the client rates at the start of a session, for the confirmation line."""
    from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP

    if client.instruments:
        return ", ".join(client.instruments)
    return f"{DEFAULTS_BY_AGE_GROUP[client.age_group][0]} (the age group's default)"


def cmd_add_client(args: argparse.Namespace) -> int:
    from fittui.cli.common import EXIT_OK, exists, instruments, open_store
    from fittui.cli.output import say_if_created
    from fittui.domain.instruments import parse_instrument_list
    from fittui.domain.language import check_language

    keys = parse_instrument_list(instruments(), args.instruments or "")
    language = check_language(args.language) if args.language else ""
    store = open_store(args, creates=True)
    existed = exists(store.path)
    client = store.add_client(args.code, args.age_group, args.label or "", keys, language)
    say_if_created(store.path, existed)
    print(
        f"Added client {client.code} ({client.age_group}); a session starts with "
        f"{_session_words(client)}."
    )
    _say_unavailable(client)
    return EXIT_OK


def _say_unavailable(client: Client) -> None:
    """Tell the therapist which of the client's questionnaires are not available in the
    client's language: the client will be told so on the screen instead of rating them."""
    from fittui.cli.common import instruments, use_the_therapists_language
    from fittui.domain.language import LANGUAGES, available_in, therapist_language

    use_the_therapists_language()
    language = client.language or therapist_language()
    known = instruments()
    missing = [k for k in client.instruments if k in known and not available_in(known[k], language)]
    if missing:
        print(
            f"Note: {', '.join(missing)} not available in {LANGUAGES[language]}; "
            f"{client.code} will be told so instead of rating it."
        )


def cmd_edit_client(args: argparse.Namespace) -> int:
    from fittui.cli.common import EXIT_OK, CliError, instruments, open_store
    from fittui.domain.instruments import parse_instrument_list

    changes: dict[str, Any] = {}
    if args.instruments is not None:
        changes["instruments"] = parse_instrument_list(instruments(), args.instruments)
    if args.label is not None:
        changes["label"] = args.label.strip()
    if args.age_group is not None:
        changes["age_group"] = args.age_group
    if args.language is not None:
        from fittui.domain.language import check_language

        changes["language"] = check_language(args.language) if args.language else ""
    if not changes:
        raise CliError("nothing to change: give --instruments, --label, --age-group or --language")
    client = open_store(args).update_client(args.code, **changes)
    print(
        f"Changed client {client.code} ({client.age_group}); a session starts with "
        f"{_session_words(client)}."
    )
    _say_unavailable(client)
    return EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    from fittui.cli.common import EXIT_OK, open_store

    first, second = open_store(args).link(args.code, args.other)
    print(
        f"Linked {first.code} and {second.code} as one case: their SRS in the same session "
        "are compared for a split alliance."
    )
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    from fittui.cli.common import EXIT_OK, open_store

    first, second = open_store(args).unlink(args.code, args.other)
    print(f"{first.code} and {second.code} are separate cases again.")
    return EXIT_OK

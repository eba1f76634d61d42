"""The database of clients and administrations: the only module the app and CLI save through.

Two TinyDB tables on fittui's journaled storage (``storage.py``): ``clients``, keyed by
client code, and ``administrations``, keyed by a random id and kept in entry order, which
is the tie-break for administrations on the same date. Scores are written as one-decimal
numbers and read back into integer tenths.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fittui.domain.episodes import KINDS, REASONS, EpisodeEvent
from fittui.domain.frozen import Frozen
from fittui.domain.instruments import Instrument
from fittui.domain.language import check_language
from fittui.domain.model import (
    DEFAULT_MODE,
    Administration,
    Client,
    Correction,
    InputError,
    Mode,
    Voided,
    check_age_group,
    check_code,
    check_not_future,
    check_reason,
    moment_now,
    now_when,
    parse_when,
)
from fittui.domain.outside import check_note, check_plain, shown
from fittui.storage import summaries
from fittui.storage.journal import Folded, collector_paused, new_id
from fittui.storage.ratings import (  # noqa: F401 - re-exported: callers import them from here
    UnknownClient,
    administration_from_doc,
    administration_to_doc,
    counted,
    open_database,
    save_administrations,
)
from fittui.storage.records import ADMINISTRATIONS, CLIENTS, EPISODE_EVENTS, FORMS

if TYPE_CHECKING:
    from fittui.storage.derived import ClientRow, Rules


class Form(Frozen):
    """A home rating form written for one client and instrument, and whether it came back.

    The file the client gets holds only ``form_id``; this record, kept in the database,
    is what ties a response code to the client it was written for.
    """

    __slots__ = ("form_id", "client", "instrument", "created", "used_at", "administration")
    form_id: str
    client: str
    instrument: str
    created: str  # ISO date the file was written
    used_at: str | None
    administration: str | None

    def __init__(
        self,
        form_id: str,
        client: str,
        instrument: str,
        created: str,
        used_at: str | None = None,
        administration: str | None = None,
    ) -> None:
        self._fill(form_id, client, instrument, created, used_at, administration)


def check_answers(instrument: Instrument, items: Mapping[str, int]) -> None:
    """Refuse what reading the database would refuse (a PHQ-9 score between two answers, an
    item missing): written, it would leave a database that no longer opens."""
    scale = instrument.scale
    if sorted(items) != sorted(scale.items):
        raise InputError(f"{scale.key} takes the items {', '.join(scale.items)}")
    for key, value in items.items():
        if (
            type(value) is not int
            or not scale.scale_min <= value <= scale.scale_max
            or (value - scale.scale_min) % scale.step
        ):
            score = f"{value / 10:g}" if type(value) is int else repr(value)
            raise InputError(f"score {score} of item {key!r} is not an answer of {scale.key}")


def form_from_doc(form_id: str, doc: dict) -> Form:
    used = doc.get("used") or {}
    return Form(
        form_id,
        doc["client"],
        doc["instrument"],
        doc["created"],
        used.get("at"),
        used.get("administration"),
    )


def client_from_doc(doc: dict) -> Client:
    # In the order of Client's fields, given by place: a quarter quicker than by name, for
    # the thousands of clients the list makes as it starts.
    return Client(
        doc["code"],
        doc["age_group"],
        shown(doc.get("label", "")),
        bool(doc.get("archived", False)),
        tuple(doc.get("instruments", ())),
        tuple(doc.get("linked", ())),
        doc.get("language", ""),
    )


def client_to_doc(client: Client) -> dict:
    return {
        "code": client.code,
        "age_group": client.age_group,
        "label": client.label,
        "archived": client.archived,
        "instruments": list(client.instruments),
        "linked": list(client.linked),
        "language": client.language,
    }


def episode_event_from_doc(doc_id: str, doc: dict) -> EpisodeEvent:
    return EpisodeEvent(doc["kind"], doc["date"], doc.get("reason"), doc_id, doc["client"])


def identity(a: Administration) -> tuple:
    """What makes two administrations the same rating (ids aside), for idempotent imports."""
    return (a.client, a.instrument, a.date, a.rater, tuple(sorted(a.items.items())))


class ClientChanged(InputError):
    """A field the therapist changed in a form was changed by someone else since it opened.

    ``now`` holds each such field's value as saved now, for the form to show.
    """

    def __init__(self, code: str, now: Mapping[str, Any]) -> None:
        self.code = code
        self.now = dict(now)
        said = ", ".join(f"{field} is now {value!r}" for field, value in self.now.items())
        super().__init__(f"client {code!r} was changed meanwhile ({said}); nothing was saved")


class NoteChanged(InputError):
    """A note was changed by someone else since the editor showed it; ``now`` is the note
    as saved now, for the editor to show."""

    def __init__(self, administration_id: str, now: str) -> None:
        self.administration_id = administration_id
        self.now = now
        super().__init__(
            f"the note of {administration_id} was changed meanwhile (it is now {now!r}); "
            "nothing was saved"
        )


# Up to this many clients' ratings are read a client at a time rather than all at once.
FEW_CLIENTS = 64


class Store:
    """Clients and administrations, saved durably before any method returns.

    A store reads only what a question needs: the clients, episode events and forms (small
    tables), and the ratings of the clients asked about (the snapshot keeps each client's
    together, with an index); a question about everyone's ratings reads them all.
    """

    def __init__(
        self,
        path: Path,
        read_only: bool = False,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> None:
        """``instruments`` check the scores read from disk; by default the built-in ones and
        the user's files, loaded when the first administration is read."""
        self.path = Path(path)
        self.read_only = read_only
        self.db = open_database(self.path, read_only, instruments)
        self.storage = self.db.storage
        self._clients = self.db.table(CLIENTS)
        self._administrations = self.db.table(ADMINISTRATIONS)
        self._episode_events = self.db.table(EPISODE_EVENTS)
        self._forms = self.db.table(FORMS)
        # The caseload's rows as last derived or read: ((journal id, rules), entries), and
        # each row's object, so a running app's next look checks them without reading.
        self._rows: tuple[tuple[str | None, str], dict[str, dict]] | None = None
        self._rows_whole = True  # False: those rows are the active clients' only
        self._rows_full = True  # False: the active clients' are their list rows only
        self._row_objects: dict[str, tuple[dict, ClientRow]] = {}
        self.storage.carry = self._carry_rows

    def close(self) -> None:
        self.db.close()

    def fold_in_background(self) -> None:
        """Leave folding the journal into the snapshot, when a save finds it due, to a
        process of its own (``fold_apart.py``): for the app, whose screen would wait."""
        self.storage.fold_apart = True

    def take_troubles(self) -> list[str]:
        """What failed beside the saves (the day's backup, a fold), each said once: the
        app shows it, having no standard error (``JournalStorage.take_troubles``)."""
        return self.storage.take_troubles()

    def seal_backups(self, sealer: Callable[[bytes], bytes]) -> None:
        """Encrypt each daily backup with ``sealer`` (settings: ``backups.encrypt_to``)."""
        self.storage.seal_backup = sealer

    def lock_is_busy(self) -> bool:
        """Another process is saving now: a save here would wait for it."""
        return self.storage.lock_is_busy()

    @property
    def generation(self) -> int:
        """A number that changes whenever the data this store has seen changes (a save here
        or by another process, a compaction, a restore): a screen redraws when it moved."""
        return self.storage.generation

    def refresh(self) -> frozenset[str] | None:
        """Read what other processes saved since the last look, and say whose data changed.

        Returns the codes of the clients whose record, ratings or episode events changed
        (by a save here or elsewhere) since the last call, together with the clients linked
        with them (a linked client's split alliance compares their ratings); an empty set
        when nothing changed; None when everything must be taken as changed: the first
        call, or after another process compacted the database or restored a backup.
        """
        self.storage.look()  # their new journal lines only, never every client's ratings
        changed = self.storage.take_changes()
        if changed is None:
            return None
        if changed:
            for doc in self._raw(CLIENTS).values():
                if doc["code"] in changed or not changed.isdisjoint(doc.get("linked", ())):
                    changed.add(doc["code"])
                    changed.update(doc.get("linked", ()))
        return frozenset(changed)

    def client_rows(
        self,
        rules: Rules,
        today: date | None = None,
        include_archived: bool = True,
        for_list: bool = False,
    ) -> dict[str, ClientRow]:
        """Every client's row of the caseload (``derived.ClientRow``: the ``report --json``
        line, ratings counted, last seen, sessions, the list's attention rank), by code;
        with ``include_archived`` False, those of the active clients only (no object is
        made for an archived client's record or row). With ``for_list``, a row kept in
        the file may come with its report cut to what the client list shows
        (``summaries.LIST_FIELDS``): the list's start reads a third of each row.

        This is the cheap way to list the caseload. Rows are kept beside the data
        (``summaries.py``), each stamped with the journal and its length it was derived
        from, the day, the last day it stays true and the rules; a row is used only when
        all of that still holds and no save since changed the client (or a client linked
        with them). The others are derived again from their ratings, and kept (never by
        a read-only store). So a row is always what a full rescore would give, and a list
        of every client reads no client's ratings unless that client changed.
        """
        from fittui.storage.derived import row_from_fitting

        with collector_paused():
            when = today or date.today()
            docs, entries, fresh = self._kept_rows(rules, when, include_archived, for_list)
            rows: dict[str, ClientRow] = {}
            for code in sorted(entries):  # every client's, or every active client's
                doc = docs[code]
                if not include_archived and doc.get("archived", False):
                    continue
                row = fresh.get(code) or self._row_of(
                    client_from_doc(doc), entries[code], row_from_fitting
                )
                assert row is not None, "a kept row is used only when it fits (_kept_rows)"
                rows[code] = row
            self._row_objects = {code: (entries[code], row) for code, row in rows.items()}
            return rows

    def client_row_docs(
        self, rules: Rules, today: date | None = None
    ) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """Every client's record as stored and their row as kept (``ClientRow.to_json``),
        by code: the same rows as ``client_rows``, for a command that prints them as JSON,
        without making an object of each of thousands of clients and rows."""
        with collector_paused():
            docs, entries, _ = self._kept_rows(rules, today or date.today())
            return {code: (docs[code], entries[code]["row"]) for code in sorted(docs)}

    def rows_hold_until(self) -> str | None:
        """The last day (ISO) every row last given by ``client_rows`` or ``client_row_docs``
        stays true if the data does not change (the earliest of their ``until``); None
        before either was asked. Output made of those rows holds as long."""
        from fittui.storage.derived import FOREVER

        if self._rows is None:
            return None
        return min((str(entry["until"]) for entry in self._rows[1].values()), default=FOREVER)

    def _kept_rows(
        self, rules: Rules, when: date, include_archived: bool = True, for_list: bool = False
    ) -> tuple[dict[str, dict], dict[str, dict], dict[str, ClientRow]]:
        """(each client's record, each client's row entry as kept, the rows derived anew)
        for the day ``when`` (see ``client_rows``); with ``include_archived`` False, the
        entries of the active clients only, when the kept file has them all (the archived
        clients' lines then checked but not read), else every client's; with
        ``for_list``, the active clients' entries may be their list rows."""
        from fittui.storage.derived import row_json_fits

        self.storage.look()
        docs = dict(self._raw(CLIENTS))
        stamp, journal, length = self.storage.derived_from()
        fingerprint = rules.fingerprint()
        held = self._rows
        if (
            held is not None
            and held[0] == (journal, fingerprint)
            and (self._rows_whole or not include_archived)
            and (self._rows_full or for_list)
        ):
            held_head = summaries.Head(stamp, journal, fingerprint)
            whole, full = self._rows_whole, self._rows_full
            kept = summaries.Kept(held_head, held[1], whole=whole, full=full)
        else:
            kept = summaries.read(self.path, archived=include_archived, full=not for_list)
        head = kept.head
        usable = head is not None and head.journal == journal and head.rules == fingerprint
        renew = kept.damaged or kept.outdated  # the file is to be written anew
        if not (kept.whole and kept.full) and (renew or not usable) and not self.read_only:
            # The file is to be written anew: read it all, to keep every client's row. (An
            # active client whose row is in an archived line, restored since, is derived
            # again like a new client, and kept where the next start reads.)
            kept = summaries.read(self.path)
        iso = when.isoformat()
        entries: dict[str, dict] = {}  # every row's, as kept
        stale = []
        last_touched = self.storage.last_touched
        for code, doc in docs.items():
            if not kept.whole and doc.get("archived", False):
                continue  # not read: the list left the archived clients out
            entry = kept.rows.get(code) if usable else None
            if (
                entry is not None
                and str(entry.get("day")) <= iso <= str(entry.get("until"))
                and last_touched((code, *doc.get("linked", ()))) <= entry["at"] <= length
                and row_json_fits(code, entry.get("row"))
            ):
                entries[code] = entry
            else:
                stale.append(client_from_doc(doc))
        derived = self._derive(stale, rules, when, many=len(stale) > FEW_CLIENTS)
        fresh: dict[str, ClientRow] = {}
        for code, (row, until) in derived.items():
            fresh[code] = row
            entries[code] = {"at": length, "day": iso, "until": until, "row": row.to_json()}
        if not self.read_only and (fresh or not usable or renew):
            try:
                if usable and not renew:
                    summaries.append(self.path, journal, {code: entries[code] for code in fresh})
                else:
                    head = summaries.Head(stamp, journal, fingerprint)
                    archived = [code for code, doc in docs.items() if doc.get("archived", False)]
                    summaries.write_all(self.path, head, entries, archived)
            except OSError:
                pass  # rows are derived again next time
        self._rows = ((journal, fingerprint), entries)
        self._rows_whole = kept.whole
        self._rows_full = kept.full
        return docs, entries, fresh

    def rows_of(
        self, codes: Iterable[str], rules: Rules, today: date | None = None
    ) -> dict[str, ClientRow]:
        """The rows of only these clients (those ``refresh`` named), derived now from their
        ratings: what a list needs after a save, without looking at anyone else's."""
        known = self._raw(CLIENTS)
        clients = [client_from_doc(known[code]) for code in codes if code in known]
        found = self._derive(clients, rules, today or date.today(), many=False)
        return {code: row for code, (row, _) in found.items()}

    def _carry_rows(self, folded: Folded) -> None:
        """After a compaction (the data unchanged, a new journal): keep the rows that were
        still true at the end of the journal folded in, now stamped with the new one."""
        from fittui.storage.carry import carry_rows

        whole = self._rows_whole and self._rows_full
        carried = carry_rows(self.storage, folded, self._rows if whole else None)
        if carried is not None:
            self._rows = carried
            self._rows_whole = self._rows_full = True

    def _row_of(
        self,
        client: Client,
        entry: dict,
        from_json: Callable[[Client, Any], ClientRow | None],
    ) -> ClientRow | None:
        """A kept row as an object: the one made last time when it is the same entry and
        the client's record is unchanged."""
        made = self._row_objects.get(client.code)
        if made is not None and made[0] is entry and made[1].client == client:
            return made[1]
        return from_json(client, entry.get("row"))

    def _derive(
        self, clients: list[Client], rules: Rules, today: date, many: bool
    ) -> dict[str, tuple[ClientRow, str]]:
        """Rows (and the last day each stays true) computed afresh from the ratings: a
        client at a time for a few, all ratings read at once for many."""
        from fittui.storage.derived import derive_row, valid_until

        if not clients:
            return {}
        wanted = {c.code for c in clients} | {code for c in clients for code in c.linked}
        by_client = self.administrations_by_client(None if many else wanted)
        events = self.episode_events_by_client()
        found = {}
        for client in clients:
            mine = by_client.get(client.code, [])
            theirs = events.get(client.code, [])
            linked = [a for code in client.linked for a in by_client.get(code, [])]
            row = derive_row(client, mine, theirs, linked, rules, today)
            found[client.code] = (row, valid_until(mine, theirs, rules.gap_days, today))
        return found

    def _raw(self, table: str) -> dict[str, dict]:
        """A table as it stands; the administrations only whole (prefer ``_mine``)."""
        return self.storage.table(table)

    def _mine(self, code: str) -> dict[str, dict]:
        """One client's administration records, voided ones too, in entry order: read
        without reading any other client's."""
        return self.storage.client_records(code)

    def prepare_ratings(self) -> None:
        """Parse now what an open left for the first question about ratings (the journal's
        ratings, kept beside the data as replayed): for a thread, once the list is drawn."""
        self.storage.prepare_ratings()

    def check_readable(self) -> None:
        """Read the database's small tables and its journal now, without making an object
        of any record: a database that cannot be read raises here (``UnreadableDatabase``)."""
        self.storage.look()

    # -- clients -------------------------------------------------------------------------
    def clients(self, include_archived: bool = True) -> list[Client]:
        """Every client, sorted by code."""
        found = (client_from_doc(d) for d in self._raw(CLIENTS).values())
        return sorted(
            (c for c in found if include_archived or not c.archived), key=lambda c: c.code
        )

    def client(self, code: str) -> Client:
        doc = self._raw(CLIENTS).get(code)
        if doc is None:
            raise UnknownClient(code)
        return client_from_doc(doc)

    def add_client(
        self,
        code: str,
        age_group: str = "adult",
        label: str = "",
        instruments: tuple[str, ...] = (),
        language: str = "",
    ) -> Client:
        """Add a client; ``instruments`` are keys the caller has checked against the
        instruments (``parse_instrument_list``), since the store does not load them.
        ``language`` is a code fittui speaks, or empty for the therapist's."""
        client = Client(
            check_code(code),
            check_age_group(age_group),
            check_plain(label.strip(), "label"),
            False,
            instruments,
            language=check_language(language) if language else "",
        )
        with self.storage.transaction():
            if client.code in self._raw(CLIENTS):
                raise InputError(f"client {client.code!r} already exists")
            self._clients.insert(self._clients.keyed(client_to_doc(client), client.code))
        return client

    def update_client(self, code: str, **changes: Any) -> Client:
        """Change a client's label, age group, archived state or start-of-session instruments."""
        with self.storage.transaction():
            client = self.client(code).replace(**changes)
            check_plain(client.label, "label")
            check_age_group(client.age_group)
            if client.language:
                check_language(client.language)
            self._clients.update_ids(client_to_doc(client), [code])
        return client

    def edit_client(
        self,
        opened: Client,
        changes: Mapping[str, Any],
        link: Iterable[str] = (),
        unlink: Iterable[str] = (),
    ) -> Client:
        """Save what the therapist changed in a form opened on ``opened``, and only that.

        One transaction reads the client as it is now: fields the form did not change keep
        what another process may have saved meanwhile, and only the links named are made or
        undone. A field changed here that was also changed elsewhere since the form opened
        raises ``ClientChanged`` with its value now, and nothing is saved.
        """
        with self.storage.transaction():
            now = self.client(opened.code)
            clashes = {
                field: getattr(now, field)
                for field, value in changes.items()
                if getattr(now, field) != getattr(opened, field) and getattr(now, field) != value
            }
            if clashes:
                raise ClientChanged(opened.code, clashes)
            client = self.update_client(opened.code, **changes) if changes else now
            for other in link:
                if other not in client.linked:
                    client = self.link(client.code, other)[0]
            for other in unlink:
                if other in client.linked:
                    client = self.unlink(client.code, other)[0]
        return client

    def link(self, code: str, other: str) -> tuple[Client, Client]:
        """Link two clients as one case (a couple or a family under two codes), both ways,
        so each one's SRS is compared with the other's for a split alliance."""
        if code == other:
            raise InputError(f"client {code!r} cannot be linked with itself")
        with self.storage.transaction():
            first, second = self.client(code), self.client(other)
            first = first.replace(linked=tuple(dict.fromkeys((*first.linked, other))))
            second = second.replace(linked=tuple(dict.fromkeys((*second.linked, code))))
            for client in (first, second):
                self._clients.update_ids(client_to_doc(client), [client.code])
        return first, second

    def unlink(self, code: str, other: str) -> tuple[Client, Client]:
        """Undo ``link``: the two clients are separate cases again."""
        with self.storage.transaction():
            first, second = self.client(code), self.client(other)
            if other not in first.linked:
                raise InputError(f"clients {code!r} and {other!r} are not linked")
            first = first.replace(linked=tuple(c for c in first.linked if c != other))
            second = second.replace(linked=tuple(c for c in second.linked if c != code))
            for client in (first, second):
                self._clients.update_ids(client_to_doc(client), [client.code])
        return first, second

    # -- administrations -----------------------------------------------------------------
    # Every reader that scores, charts, flags, summarises or reports gets the counted
    # ratings only (``administrations``, ``administrations_by_client``): a voided rating
    # cannot slip into a calculation by a caller forgetting to filter it. The history's
    # table and the exports, which show the record as it is, ask ``all_administrations``.
    def administrations(self, code: str | None = None) -> list[Administration]:
        """The ratings that count (none voided) in entry order, of one client or of everyone."""
        return counted(self._raw(ADMINISTRATIONS) if code is None else self._mine(code))

    def all_administrations(self, code: str | None = None) -> list[Administration]:
        """Every rating in entry order, voided ones included: the record as it stands."""
        docs = self._raw(ADMINISTRATIONS) if code is None else self._mine(code)
        return [administration_from_doc(doc_id, doc) for doc_id, doc in docs.items()]

    def administration(self, administration_id: str) -> Administration:
        """One rating by its id, voided or not."""
        doc = self._raw(ADMINISTRATIONS).get(administration_id)
        if doc is None:
            raise InputError(
                f"no rating with id {administration_id!r} (see 'fittui history CODE --json')"
            )
        return administration_from_doc(administration_id, doc)

    def administrations_by_client(
        self, codes: Iterable[str] | None = None
    ) -> dict[str, list[Administration]]:
        """The ratings that count (none voided) in entry order grouped by client; only those
        of ``codes`` when given (the active clients of a list, say: no objects built for
        the rest)."""
        wanted = None if codes is None else set(codes)
        if wanted is not None and len(wanted) <= FEW_CLIENTS:
            return {code: mine for code in sorted(wanted) if (mine := self.administrations(code))}
        grouped: dict[str, list[Administration]] = {}
        for doc_id, doc in self._raw(ADMINISTRATIONS).items():
            code = doc["client"]
            if (wanted is None or code in wanted) and "voided" not in doc:
                grouped.setdefault(code, []).append(administration_from_doc(doc_id, doc))
        return grouped

    def linked_administrations(self, client: Client) -> list[Administration]:
        """The administrations of the clients linked with ``client`` as one case."""
        grouped = self.administrations_by_client(client.linked)
        return [a for code in client.linked for a in grouped.get(code, [])]

    def record(
        self,
        code: str,
        instrument: Instrument,
        items: dict[str, int],
        when: str | None = None,
        rater: str = "client",
        note: str = "",
        mode: Mode = DEFAULT_MODE,
    ) -> Administration:
        """Save one administration; it is on disk when this returns."""
        check_answers(instrument, items)
        [saved] = self.record_many(
            [
                Administration(
                    new_id(),
                    code,
                    instrument.key,
                    when or now_when(),
                    items,
                    rater,
                    note,
                    mode=mode,
                )
            ]
        )
        return saved

    def record_many(self, administrations: Iterable[Administration]) -> list[Administration]:
        """Save several administrations as one transaction: all of them, or none. A rating
        dated after today is refused."""
        return save_administrations(self.db, administrations)

    def set_note(self, administration_id: str, note: str, opened: str | None = None) -> None:
        """Save the note; with ``opened`` (the note as the editor showed it), refuse with
        :class:`NoteChanged` when another window or process changed it meanwhile, rather
        than write over words the therapist never saw."""
        check_note(note)
        with self.storage.transaction():
            docs = self._raw(ADMINISTRATIONS)
            if administration_id not in docs:
                raise InputError(f"no administration {administration_id!r}")
            now = docs[administration_id].get("note", "")
            if opened is not None and now not in (opened, note):
                raise NoteChanged(administration_id, now)
            self._administrations.update_ids({"note": note}, [administration_id])

    # -- episodes of care ----------------------------------------------------------------
    def episode_events(self, code: str) -> list[EpisodeEvent]:
        """The therapist's episode starts and ends for one client, in entry order."""
        return [
            episode_event_from_doc(doc_id, doc)
            for doc_id, doc in self._raw(EPISODE_EVENTS).items()
            if doc["client"] == code
        ]

    def episode_events_by_client(self) -> dict[str, list[EpisodeEvent]]:
        """Every client's episode events, in entry order; a database from before episodes
        has none, and every client's ratings then fall into episodes by the gap alone."""
        grouped: dict[str, list[EpisodeEvent]] = {}
        for doc_id, doc in self._raw(EPISODE_EVENTS).items():
            grouped.setdefault(doc["client"], []).append(episode_event_from_doc(doc_id, doc))
        return grouped

    def add_episode_event(
        self, code: str, kind: str, day: str, reason: str | None = None
    ) -> EpisodeEvent:
        """Save the therapist's start or end of an episode (``day`` an ISO date); the caller
        checks it against the client's episodes first (``episodes.check_start``/``check_end``)."""
        [event] = self.add_episode_events(code, [(kind, day, reason)])
        return event

    def add_episode_events(
        self, code: str, wanted: Iterable[tuple[str, str, str | None]]
    ) -> list[EpisodeEvent]:
        """Save several (kind, day, reason) events as one transaction: ending the open
        episode and starting the next one land together or not at all."""
        events = []
        for kind, day, reason in wanted:
            if kind not in KINDS or (kind == "end") != (reason in REASONS):
                raise InputError(f"an episode {kind} cannot have the reason {reason!r}")
            events.append(EpisodeEvent(kind, day, reason, new_id(), code))
        with self.storage.transaction():
            if code not in self._raw(CLIENTS):
                raise UnknownClient(code)
            self._episode_events.insert_multiple(
                self._episode_events.keyed(
                    {"client": code, "kind": e.kind, "date": e.date, "reason": e.reason}, e.id
                )
                for e in events
            )
        return events

    def import_batch(
        self,
        new_clients: Iterable[Client],
        administrations: Iterable[Administration],
        episode_events: Iterable[EpisodeEvent] = (),
        links: Iterable[tuple[str, str]] = (),
    ) -> tuple[list[Client], list[Administration], list[EpisodeEvent]]:
        """Add clients, administrations and episode events in one transaction, skipping
        ratings and events already here; returns what was added.

        A rating counts as already here when the database holds as many identical ones
        (same client, instrument, date, rater and scores) as the batch does, so importing the
        same file twice adds nothing the second time. An administration keeps its id (a JSON
        export's) unless the database already uses it for another rating. Episode starts and
        ends are saved in the same transaction, the same way (see :meth:`_import_events`),
        and so are the ``links`` (pairs of codes linked as one case, both ways; a pair
        already linked is left as it is).
        """
        with self.storage.transaction():
            existing = Counter(identity(a) for a in self.all_administrations())
            taken = set(self._raw(ADMINISTRATIONS))
            fresh = []
            for a in administrations:
                if existing[identity(a)] > 0:
                    existing[identity(a)] -= 1
                else:
                    fresh.append(a.replace(id=new_id()) if a.id in taken else a)
                    taken.add(fresh[-1].id)
            added_clients = [c for c in new_clients if c.code not in self._raw(CLIENTS)]
            for c in added_clients:
                check_plain(c.label, "label")
            self._clients.insert_multiple(
                self._clients.keyed(client_to_doc(c), c.code) for c in added_clients
            )
            if fresh:
                self.record_many(fresh)
            events = self._import_events(episode_events)
            for code, other in links:
                if other not in self.client(code).linked:
                    self.link(code, other)
        return added_clients, fresh, events

    def _import_events(self, events: Iterable[EpisodeEvent]) -> list[EpisodeEvent]:
        """Save imported episode events not already here (same client, kind, day and
        reason, counted as ratings are), each keeping its id unless that is taken; inside
        the caller's transaction. Returns the events saved."""
        saved = list(self._raw(EPISODE_EVENTS).items())
        existing = Counter((d["client"], d["kind"], d["date"], d.get("reason")) for _, d in saved)
        taken = {doc_id for doc_id, _ in saved}
        fresh = []
        for e in events:
            same = (e.client, e.kind, e.date, e.reason)
            if existing[same] > 0:
                existing[same] -= 1
                continue
            fresh.append(e.replace(id=new_id()) if not e.id or e.id in taken else e)
            taken.add(fresh[-1].id)
        self._episode_events.insert_multiple(
            self._episode_events.keyed(
                {"client": e.client, "kind": e.kind, "date": e.date, "reason": e.reason}, e.id
            )
            for e in fresh
        )
        return fresh

    # -- corrections ---------------------------------------------------------------------
    def _rewrite(
        self, administration_id: str, change: Callable[[Administration], Administration]
    ) -> tuple[Administration, Administration]:
        """Apply ``change`` (old rating -> new rating) in one transaction, keeping the
        rating's place in entry order; returns (before, after)."""
        with self.storage.transaction():
            before = self.administration(administration_id)
            after = change(before)
            doc = administration_to_doc(after)

            def replace_doc(stored: MutableMapping) -> None:
                stored.clear()
                stored.update(doc)

            self._administrations.update_ids(replace_doc, [administration_id])
        return before, after

    def void(self, administration_id: str, reason: str) -> Administration:
        """Mark a rating as entered in error: it stays in the record, counts nowhere."""
        why = check_plain(check_reason(reason), "reason")

        def change(a: Administration) -> Administration:
            if a.voided is not None:
                raise InputError(
                    f"rating {a.id} is already voided ({a.voided.reason}); "
                    f"'fittui unvoid {a.id}' restores it"
                )
            return a.replace(voided=Voided(why, moment_now()))

        return self._rewrite(administration_id, change)[1]

    def unvoid(self, administration_id: str) -> Administration:
        """Count a voided rating again, as it was before."""

        def change(a: Administration) -> Administration:
            if a.voided is None:
                raise InputError(f"rating {a.id} is not voided; nothing to restore")
            return a.replace(voided=None)

        return self._rewrite(administration_id, change)[1]

    def keep_as_own_session(self, administration_id: str) -> Administration:
        """Keep a rating as a session of its own beside the earlier ratings of its day
        (same instrument and rater): two sessions that day, both counted
        (``model.one_per_session``); without this, it replaces them."""

        def change(a: Administration) -> Administration:
            if a.voided is not None:
                raise InputError(f"rating {a.id} is voided; 'fittui unvoid {a.id}' restores it")
            if a.own_session is not None:
                raise InputError(f"rating {a.id} is already kept as a session of its own")
            return a.replace(own_session=moment_now())

        return self._rewrite(administration_id, change)[1]

    def _correct(self, administration_id: str, what: str, new: str) -> Administration:
        def change(a: Administration) -> Administration:
            old = getattr(a, what)
            if old == new:
                raise InputError(f"rating {a.id} already has {what} {new}; nothing to change")
            corrections = (*a.corrections, Correction(what, old, new, moment_now()))
            if what == "client":
                return a.replace(client=new, corrections=corrections)
            return a.replace(date=new, corrections=corrections)

        return self._rewrite(administration_id, change)[1]

    def move(self, administration_id: str, code: str) -> Administration:
        """Give a rating saved under the wrong client to the right one; the old code is
        kept in the rating's corrections."""
        with self.storage.transaction():
            target = self.client(check_code(code)).code
            return self._correct(administration_id, "client", target)

    def redate(self, administration_id: str, when: str) -> Administration:
        """Fix a rating's date (and time); the old one is kept in its corrections. A date
        after today is refused."""
        return self._correct(administration_id, "date", check_not_future(parse_when(when)))

    # -- home rating forms ---------------------------------------------------------------
    def add_form(self, code: str, instrument_key: str, created: str) -> Form:
        """Note a home form written for a client: its id is all the file carries."""
        from fittui.domain.response_code import new_form_id

        with self.storage.transaction():
            self.client(code)
            form = Form(new_form_id(set(self._raw(FORMS))), code, instrument_key, created)
            self._forms.insert(
                self._forms.keyed(
                    {
                        "client": code,
                        "instrument": instrument_key,
                        "created": created,
                        "used": None,
                    },
                    form.form_id,
                )
            )
        return form

    def form(self, form_id: str) -> Form | None:
        doc = self._raw(FORMS).get(form_id)
        return None if doc is None else form_from_doc(form_id, doc)

    def record_form(self, form_id: str, administration: Administration) -> Administration:
        """Save the rating a form came back with and mark the form used, as one save: a
        second entry of the same code finds it used, even from another process."""
        with self.storage.transaction():
            form = self.form(form_id)
            if form is None:
                raise InputError(f"no form {form_id} in this database")
            if form.used_at is not None:
                raise InputError(
                    f"form {form_id} was already entered on {form.used_at}; nothing was saved"
                )
            self.record_many([administration])
            self._forms.update_ids(
                {"used": {"at": now_when(), "administration": administration.id}},
                [form_id],
            )
        return administration

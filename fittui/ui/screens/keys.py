"""The keys of the screen you are on, in our words: what `?` (or F1) opens.

Every therapist screen's keys are written once, in ``keys.toml`` beside this module, grouped
in the sections of the screen's help: the key, its action, the footer's word and the help's
words (also the footer's tooltip). A screen's ``KEYS`` (``key_sections``) and its
``BINDINGS`` (``section_bindings``, the footer's keys and their order named by action) are
both made from there, so the help can never list a key that does nothing or miss one a
screen gained later. Beside its bindings a section lists the keys the screen's widgets
handle (arrows, typing), in words. Keys a screen binds outside its sections come last,
under "More keys", with their footer words; the app's under "Anywhere".

Escape says where it goes ("Back to list", "Back to caseload"): a screen that can be
reached from several places binds Escape once per place (``back_bindings``) and lets
only the one that applies through (``back_applies``), as Textual's dynamic actions do.

Every word here and in ``keys.toml`` is written in English, marked ``N_`` here and
extracted from the file by ``python -m fittui.locales``; it is translated into the
therapist's language when the help is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from fittui.domain.frozen import Frozen
from fittui.domain.kept_toml import read_toml
from fittui.domain.language import N_, _
from fittui.ui.widgets.keys_footer import action_name

# The keys of every therapist screen. F1 is its own binding so that, in a field where ?
# is typed, the footer offers the key that still works.
KEYS_BINDINGS = [
    Binding("question_mark", "app.show_keys", N_("Keys")),
    Binding("f1", "app.show_keys", N_("Keys"), key_display="F1"),
]
KEY_NAMES = {
    "enter": "Enter",
    "escape": "Escape",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "slash": "/",
    "question_mark": "?",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "space": "Space",
    "plus": "+",
}
# App-wide keys worth knowing on every screen, in the order they are listed.
APP_KEYS = {
    "show_keys": N_("these keys, for the screen you are on"),
    "command_palette": N_(
        "the command palette: part of a client code opens a history or starts a rating"
    ),
    "quit": N_("quit fittui"),
}
KEY_FILE = Path(__file__).with_name("keys.toml")
# The fields of each kind of row in it: a widget's keys, a key the screen binds, Escape back.
KEY_ROWS = {
    frozenset({"keys", "help"}),
    frozenset({"key", "action", "word", "help"}),
    frozenset({"key", "action", "word", "help", "priority"}),
    frozenset({"back"}),
}
KEY_COLUMN = 16  # at most: longer keys wrap, and the words keep the room
# Where Escape can lead, by the place name a screen declares (``PLACE``): the footer's
# words and the help's.
PLACES = {
    "list": (N_("Back to list"), N_("back to the list")),
    "caseload": (N_("Back to caseload"), N_("back to the caseload")),
    "history": (N_("Back to history"), N_("back to the history")),
    "outcomes": (N_("Back to outcomes"), N_("back to the outcomes")),
    "result": (N_("Back to result"), N_("back to the result")),
}


class KeySection(Frozen):
    """A group of keys under a heading. Each entry is a key the screen binds (the help
    shows its tooltip, else its footer words; a key that does not apply where the screen
    stands, like an Escape to another place, is left out) or (keys, words) for keys a
    widget handles, e.g. ("↑ ↓", "choose a client")."""

    __slots__ = ("title", "entries")
    title: str
    entries: tuple[Binding | tuple[str, str], ...]

    def __init__(self, title: str, entries: tuple[Binding | tuple[str, str], ...]) -> None:
        self._fill(title, entries)


@cache
def key_file() -> dict[str, list[dict[str, Any]]]:
    """The keys of every therapist screen, by screen, as ``keys.toml`` lists them: read
    from its kept form (``domain/kept_toml.py``), since the client list's keys are made
    before its first frame."""
    return read_toml(KEY_FILE)


def key_entry(row: dict[str, Any]) -> Sequence[Binding | tuple[str, str]]:
    """One row of a section in ``keys.toml``: a key the screen binds, keys a widget handles
    (in words), or the screen's Escape back (one binding per place it can lead to)."""
    if frozenset(row) not in KEY_ROWS:
        raise ValueError(
            f"{KEY_FILE.name}: a row with {', '.join(sorted(row))} is none of its kinds"
        )
    if row.get("back"):
        return back_bindings()
    if "keys" in row:
        return [(row["keys"], row["help"])]
    return [
        Binding(
            row["key"],
            row["action"],
            row["word"],
            tooltip=row["help"],
            priority=row.get("priority", False),
        )
    ]


def key_sections(screen: str) -> tuple[KeySection, ...]:
    """The sections of a screen's help, with its keys, as ``keys.toml`` lists them under
    ``screen``: the screen's ``KEYS``, and what its ``BINDINGS`` are made from."""
    return tuple(
        KeySection(section["section"], tuple(e for row in section["keys"] for e in key_entry(row)))
        for section in key_file()[screen]
    )


def section_bindings(
    sections: tuple[KeySection, ...], footer: tuple[str, ...]
) -> list[BindingType]:
    """A screen's ``BINDINGS``, made from the keys its help sections list.

    The footer shows the actions ``footer`` names ("rate" for both o and s), in that order,
    which need not be the help's; every other key works but stays out of it.
    """
    keys = [
        entry for section in sections for entry in section.entries if isinstance(entry, Binding)
    ]
    unknown = set(footer) - {action_name(key.action) for key in keys}
    if unknown:
        raise ValueError(f"no key in the sections for the footer's {', '.join(sorted(unknown))}")
    shown = [
        replace(key, show=True)
        for name in footer
        for key in keys
        if action_name(key.action) == name
    ]
    hidden = [replace(key, show=False) for key in keys if action_name(key.action) not in footer]
    return [*shown, *hidden]


def same_action(entry: Binding, action: str) -> bool:
    """Whether a bound action is the entry's own, or the app's action of the same name when
    the entry names one without arguments (q and the app's Ctrl+Q both quit)."""
    if action == entry.action:
        return True
    return "(" not in entry.action and action_name(action) == action_name(entry.action)


def key_words(key: str) -> str:
    """A key as the README and the help write it: "Enter", "Ctrl+P", "/", "o"."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if "+" in key:
        *modifiers, last = key.split("+")
        return "+".join([m.capitalize() for m in modifiers] + [key_words(last).upper()])
    return key.upper() if len(key) > 1 and key[0] == "f" and key[1:].isdigit() else key


def textual_actions() -> set[str]:
    """Actions every Textual screen has (moving focus, copying text): said in a screen's
    own words where they matter, never listed as the screen's keys."""
    actions: set[str] = set()
    for cls in (Screen, ModalScreen):
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding):
                actions.add(binding.action)
    return actions


def screen_keys(screen: Screen) -> dict[str, tuple[list[str], str]]:
    """The screen's and the app's enabled bindings, by action: (keys, words).

    Read from the screen and the app themselves, not from what the focused widget lets
    through: asked from the search field (F1), the help still lists b, o and s, which the
    field would type. Bindings of widgets (the table's cursor keys, a field's editing keys)
    are left to the screen's own sections, in plain words. Textual keeps a node's own
    bindings, and the check a binding must pass, behind private names.
    """
    found: dict[str, tuple[list[str], str]] = {}
    ignored = textual_actions()
    app = screen.app
    for node in (screen, app):
        for key, binding in node._bindings:
            if node is screen and binding.action in ignored:
                continue
            if node is app and action_name(binding.action) not in APP_KEYS:
                continue
            if app._check_action_state(binding.action, node) is False:
                continue  # e.g. the Escape that leads somewhere else from here
            words = _(binding.tooltip or binding.description)
            keys = found.setdefault(binding.action, ([], words))[0]
            if key not in keys:
                keys.append(key)
    return found


def key_table(rows: list[tuple[str, str]], key_width: int) -> Table:
    """Keys on the left, words on the right, the words wrapping under themselves."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", min_width=key_width, max_width=KEY_COLUMN)
    table.add_column(ratio=1)
    for keys, words in rows:
        table.add_row(Text(keys), Text(words))
    return table


def help_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections the help shows for ``screen``: its own groups, then any key it did not
    group, then the keys that work everywhere."""
    bound = screen_keys(screen)
    used: set[str] = set()

    def keys_of(actions: list[str]) -> str:
        keys = (key_words(key) for action in actions for key in bound[action][0])
        return " or ".join(dict.fromkeys(keys))

    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for section in getattr(screen, "KEYS", ()):
        rows: list[tuple[str, str]] = []
        for entry in section.entries:
            if isinstance(entry, Binding):
                actions = [a for a in bound if same_action(entry, a)]
                if actions:
                    used.update(actions)
                    rows.append((keys_of(actions), bound[actions[0]][1]))
            else:
                rows.append((entry[0], _(entry[1])))
        if rows:
            sections.append((_(section.title), rows))
    rest = [a for a in bound if a not in used and action_name(a) not in APP_KEYS]
    if rest:
        sections.append((_("More keys"), [(keys_of([a]), bound[a][1]) for a in rest]))
    anywhere = [name for name in APP_KEYS if any(action_name(a) == name for a in bound)]
    anywhere_rows = []
    for name in anywhere:
        actions = [a for a in bound if action_name(a) == name and a not in used]
        if actions:
            anywhere_rows.append((keys_of(actions), _(APP_KEYS[name])))
    if anywhere_rows:
        sections.append((_("Anywhere"), anywhere_rows))
    return sections


class KeysScreen(ModalScreen[None]):
    """The keys of the screen beneath, grouped; Escape or ? closes it."""

    BINDINGS = [
        Binding("escape,question_mark,f1", "close", N_("Close")),
    ]
    AUTO_FOCUS = "#keys"

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.place = _(getattr(screen, "KEYS_TITLE", N_("this screen")))
        self.sections = help_sections(screen)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="keys") as box:
            box.border_title = _("Keys on {place}").format(place=self.place)
            box.border_subtitle = _("Escape closes")
            widest = max(len(keys) for __, rows in self.sections for keys, __ in rows)
            key_width = min(widest, KEY_COLUMN)
            for title, rows in self.sections:
                yield Static(Text(title, style="bold underline"), classes="keys-title")
                yield Static(key_table(rows, key_width), classes="keys-rows")

    def action_close(self) -> None:
        self.dismiss()


def place_below(screen: Screen) -> str:
    """The place Escape takes ``screen`` back to: the ``PLACE`` of the screen under it."""
    stack = screen.app.screen_stack
    if screen not in stack:
        return ""
    index = stack.index(screen)
    return getattr(stack[index - 1], "PLACE", "") if index > 0 else ""


def back_bindings() -> list[Binding]:
    """Escape, once per place it can lead to, each saying where ("Back to caseload"), and
    once with a plain "Back" for anywhere else."""
    bindings = [
        Binding("escape", f"back('{place}')", words, tooltip=tooltip)
        for place, (words, tooltip) in PLACES.items()
    ]
    return [*bindings, Binding("escape", "back('')", N_("Back"), tooltip=N_("back"))]


def back_applies(screen: Screen, parameters: tuple[object, ...]) -> bool:
    """Whether the Escape binding with these parameters names the screen below."""
    place = place_below(screen)
    return parameters == ((place if place in PLACES else ""),)


class GoesBack:
    """Mixed in before the Textual screen class of a screen whose Escape comes from
    ``back_bindings``: lets through only the binding that names the screen below."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return isinstance(self, Screen) and back_applies(self, parameters)
        return True

"""A rating form the client fills in on their own device: one HTML file, no server.

The therapist sends the file (by mail, a messenger, the video call's chat); the client opens
it in any browser, marks each line with a finger, the mouse or the arrow keys, and presses
Done. The page then shows a response code (``response_code.py``) to read out or paste back.
Nothing leaves the client's device except what the client chooses to send:

* the file is self-contained: inline CSS and script, no font, image, link or form action;
* a Content-Security-Policy forbids every request and admits only this page's own style
  and script, by their SHA-256 hashes, so even an edited copy cannot load anything;
* it holds no client code, label or history: only the instrument, its short labels (or the
  user's own wording), a form id and the last day it should be used.

Lines start with no mark, as in the app; numbers are not shown while marking, as on paper,
and the finished code shows every score in plain sight.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from decimal import Decimal
from html import escape

from fittui.domain.instruments import Instrument
from fittui.domain.language import ENGLISH, Translator, translated, translator
from fittui.domain.response_code import ALPHABET, CHECK_MODULUS, SEPARATOR

STYLE = """
:root { color-scheme: light dark; --ink: #111; --paper: #fff; --line: #333; --mark: #0b57d0;
  --soft: #555; --focus: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --ink: #eee; --paper: #111; --line: #ccc;
  --mark: #8ab4f8; --soft: #bbb; --focus: #f2b8b5; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 1.125rem/1.5 system-ui, sans-serif;
  color: var(--ink); background: var(--paper); }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.frame, .hint, .ends, .description, .until { color: var(--soft); }
.item { margin: 1.75rem 0; border: 0; padding: 0; }
.item h2, .item legend { font-size: 1.25rem; margin: 0; padding: 0; }
.line { position: relative; height: 3.5rem; margin: .5rem .75rem 0; touch-action: none;
  cursor: pointer; outline: none; }
.line::before { content: ""; position: absolute; left: 0; right: 0; top: 50%; height: .25rem;
  margin-top: -.125rem; background: var(--line); }
.line::after { content: ""; position: absolute; top: 25%; bottom: 25%; left: -.125rem;
  right: -.125rem; border-left: .25rem solid var(--line); border-right: .25rem solid var(--line); }
.line:focus-visible { box-shadow: 0 0 0 .2rem var(--focus); border-radius: .25rem; }
.mark { position: absolute; top: .25rem; bottom: .25rem; width: .5rem; margin-left: -.25rem;
  background: var(--mark); border-radius: .25rem; }
.ends { display: flex; justify-content: space-between; font-size: 1rem; }
.options label { display: block; padding: .5rem .25rem; min-height: 2.75rem; }
.options input { width: 1.25rem; height: 1.25rem; vertical-align: middle; margin-right: .5rem; }
button { font: inherit; padding: .75rem 1.5rem; min-height: 3rem; border-radius: .5rem;
  border: .15rem solid var(--line); background: var(--paper); color: var(--ink); cursor: pointer; }
button:focus-visible { outline: .2rem solid var(--focus); outline-offset: .15rem; }
#done { background: var(--mark); color: var(--paper); border-color: var(--mark);
  font-weight: 600; }
#problem, #no-script { color: var(--focus); font-weight: 600; }
#done-box { margin-top: 1.5rem; padding: 1rem; border: .15rem solid var(--line);
  border-radius: .5rem; }
#code { font: 1.5rem/1.4 ui-monospace, monospace; overflow-wrap: anywhere; margin: .5rem 0; }
"""

SCRIPT = """
"use strict";
const FORM = JSON.parse(document.getElementById("form-data").textContent);
document.getElementById("done").hidden = false;
const ALPHABET = FORM.alphabet;
const values = FORM.items.map(() => null);

function checkText(scores) {
  const symbols = [...FORM.key.toUpperCase()].map((c) => c.charCodeAt(0))
    .concat(scores, [...FORM.id].map((c) => ALPHABET.indexOf(c)));
  let sum = 0;
  symbols.forEach((value, n) => { sum = (sum + (n + 1) * value) % FORM.modulus; });
  return ALPHABET[Math.floor(sum / ALPHABET.length)] + ALPHABET[sum % ALPHABET.length];
}
function shown(tenths) { return (tenths / 10).toFixed(FORM.decimals ? 1 : 0); }
function said(tenths) { return shown(tenths).replace(".", FORM.words.decimal); }
function words(text, fields) {
  return text.replace(/\\{(\\w+)\\}/g, (whole, name) => name in fields ? fields[name] : whole);
}
function clamp(tenths) {
  const stepped = Math.round((tenths - FORM.min) / FORM.step) * FORM.step + FORM.min;
  return Math.min(FORM.max, Math.max(FORM.min, stepped));
}
function setValue(n, tenths) {
  values[n] = clamp(tenths);
  const line = document.getElementById("line-" + n);
  const mark = line.querySelector(".mark");
  mark.hidden = false;
  mark.style.left = ((values[n] - FORM.min) / (FORM.max - FORM.min) * 100) + "%";
  line.setAttribute("aria-valuenow", shown(values[n]));
  line.setAttribute("aria-valuetext",
    words(FORM.words.marked, { value: said(values[n]), max: said(FORM.max) }));
  hideCode();
}
function hideCode() {
  document.getElementById("done-box").hidden = true;
  document.getElementById("problem").textContent = "";
}
function fromPointer(n, event) {
  const rect = document.getElementById("line-" + n).getBoundingClientRect();
  const share = (event.clientX - rect.left) / rect.width;
  setValue(n, FORM.min + share * (FORM.max - FORM.min));
}
function focusItem(n) {
  const target = document.getElementById("line-" + n) ||
    document.querySelector("input[name=item-" + n + "]");
  if (target) { target.focus(); } else { document.getElementById("done").focus(); }
}
document.querySelectorAll(".line").forEach((line) => {
  const n = Number(line.dataset.item);
  line.addEventListener("pointerdown", (event) => {
    line.setPointerCapture(event.pointerId);
    line.focus();
    fromPointer(n, event);
    event.preventDefault();
  });
  line.addEventListener("pointermove", (event) => {
    if (line.hasPointerCapture(event.pointerId)) { fromPointer(n, event); }
  });
  line.addEventListener("keydown", (event) => {
    const middle = (FORM.min + FORM.max) / 2;
    const moves = { ArrowLeft: -5, ArrowRight: 5, ArrowDown: -5, ArrowUp: 5 };
    let handled = true;
    if (event.key in moves) {
      const step = event.shiftKey ? Math.sign(moves[event.key]) : moves[event.key];
      setValue(n, values[n] === null ? middle : values[n] + step);
    } else if (event.key === "Home") { setValue(n, FORM.min);
    } else if (event.key === "End") { setValue(n, FORM.max);
    } else if (/^[0-9]$/.test(event.key)) { setValue(n, Number(event.key) * 10);
    } else if (event.key === "Enter") { focusItem(n + 1);
    } else { handled = false; }
    if (handled) { event.preventDefault(); }
  });
});
document.querySelectorAll(".options input").forEach((input) => {
  input.addEventListener("change", () => {
    values[Number(input.dataset.item)] = Number(input.value);
    hideCode();
  });
});
document.getElementById("done").addEventListener("click", () => {
  const missing = values.findIndex((v) => v === null);
  if (missing >= 0) {
    document.getElementById("problem").textContent =
      words(FORM.words.missing, { label: FORM.items[missing] });
    focusItem(missing);
    return;
  }
  const code = FORM.key + " " + values.map(shown).join(" ") + " " + FORM.separator + " " +
    FORM.id + "-" + checkText(values);
  document.getElementById("code").textContent = code;
  document.getElementById("done-box").hidden = false;
  document.getElementById("code").focus();
});
document.getElementById("copy").addEventListener("click", () => {
  const code = document.getElementById("code");
  const range = document.createRange();
  range.selectNodeContents(code);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const said = document.getElementById("copied");
  if (navigator.clipboard) {
    navigator.clipboard.writeText(code.textContent).then(
      () => { said.textContent = FORM.words.copied; },
      () => { said.textContent = FORM.words.selected; });
  } else { said.textContent = FORM.words.selected; }
});
"""


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    """Nothing may be fetched or sent; only this page's own style and script may run."""
    return (
        "default-src 'none'; "
        f"style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; media-src 'none'; "
        "form-action 'none'; base-uri 'none'"
    )


def _line_item(n: int, instrument: Instrument, tr: Translator) -> str:
    item = instrument.items[n]
    label = escape(item.label)
    description = (
        f'<p class="description" id="desc-{n}">{escape(item.description)}</p>'
        if item.description
        else ""
    )
    not_marked = escape(tr.c_("not marked yet"))
    described = f"desc-{n} ends-{n}" if item.description else f"ends-{n}"
    return f"""
<section class="item">
  <h2 id="label-{n}">{label}</h2>
  {description}
  <div class="line" id="line-{n}" data-item="{n}" role="slider" tabindex="0"
    aria-labelledby="label-{n}" aria-describedby="{described}"
    aria-valuemin="{instrument.format_score(instrument.scale_min)}"
    aria-valuemax="{instrument.format_score(instrument.scale_max)}"
    aria-valuetext="{not_marked}"><div class="mark" hidden></div></div>
  <div class="ends" id="ends-{n}"><span>{escape(item.low)}</span>
    <span>{escape(item.high)}</span></div>
</section>"""


def _choice_item(n: int, instrument: Instrument, tr: Translator) -> str:
    item = instrument.items[n]
    question = escape(item.description or item.label)
    options = "".join(
        f'<label><input type="radio" name="item-{n}" data-item="{n}" '
        f'value="{instrument.scale_min + k * instrument.step}">{escape(option)}</label>'
        for k, option in enumerate(instrument.options)
    )
    return f"""
<fieldset class="item options">
  <legend>{n + 1}. {question}</legend>
  {options}
</fieldset>"""


def form_page(
    instrument: Instrument, form_id: str, use_by: str, tr: Translator | None = None
) -> str:
    """The whole form as one HTML document; ``use_by`` is the last day it will be taken.

    Everything the client reads is in ``tr``'s language (English when not given); the
    response code is the same in every language.
    """
    tr = tr or translator(ENGLISH)
    instrument = translated(instrument, tr)
    build = _choice_item if instrument.kind == "likert" else _line_item
    items = "".join(build(n, instrument, tr) for n in range(len(instrument.items)))
    return _document(instrument, tr, _page_words(instrument, use_by, tr), items, form_id)


def _script_data(instrument: Instrument, form_id: str, tr: Translator) -> str:
    """What the page's script needs (the scale, the code's alphabet, its messages), as
    JSON safe inside ``<script type="application/json">``: no "<" at all, since "</" could
    end it and "<!--<script" would carry the browser's reading past its real end."""
    data = {
        "key": instrument.key,
        "id": form_id,
        "items": [item.label for item in instrument.items],
        "min": instrument.scale_min,
        "max": instrument.scale_max,
        "step": instrument.step,
        "decimals": not instrument.whole_numbers,
        "alphabet": ALPHABET,
        "modulus": CHECK_MODULUS,
        "separator": SEPARATOR,
        "words": {
            "decimal": tr.number(Decimal("0.5"))[1],
            "marked": tr.c_("marked at {value} of {max}"),
            "missing": tr.c_("Please mark “{label}” first."),
            "copied": tr.c_("Copied."),
            "selected": tr.c_("Selected: copy it with your device's copy command."),
        },
    }
    return json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")


def _page_words(instrument: Instrument, use_by: str, tr: Translator) -> dict[str, str]:
    """Every sentence the page shows around the items, in the client's language, escaped."""
    how = (
        tr.c_("Choose one answer for each question.")
        if instrument.kind == "likert"
        else tr.c_(
            "Put one mark on each line: tap or drag on it, or use the arrow keys "
            "(a digit puts the mark on that number). Left is low, right is high."
        )
    )
    private = tr.c_(
        "Nothing you enter leaves this page: at the end it shows a short code "
        "for you to read out or paste to your therapist."
    )
    until = tr.c_("This form is for use until {date}.").format(
        date=tr.date(date.fromisoformat(use_by))
    )
    words = {
        "hint": f"{how} {private}",
        "until": until,
        "done": tr.c_("Done"),
        "your_code": tr.c_("Your code (read it out, or copy it into the chat):"),
        "copy": tr.c_("Copy the code"),
        "change": tr.c_("You can still change a mark: the code changes with it."),
        "no_script": tr.c_(
            "This page cannot take your marks here, because its own small script is switched "
            "off (in a mail app's preview, say): open this file in a browser, such as "
            "Safari, Chrome or Firefox."
        ),
    }
    return {key: escape(text) for key, text in words.items()}


def _document(
    instrument: Instrument, tr: Translator, words: dict[str, str], items: str, form_id: str
) -> str:
    """The HTML document around the items: head, words, the code box and the script."""
    frame = f'<p class="frame">{escape(instrument.frame)}</p>' if instrument.frame else ""
    return f"""<!doctype html>
<html lang="{tr.code}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(instrument.name)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{escape(instrument.name)}</h1>
{frame}
<p class="hint">{words["hint"]}</p>
<p class="until">{words["until"]}</p>
<noscript><p id="no-script">{words["no_script"]}</p></noscript>
<div id="rating">
{items}
</div>
<p id="problem" role="alert"></p>
<button type="button" id="done" hidden>{words["done"]}</button>
<div id="done-box" hidden>
  <p>{words["your_code"]}</p>
  <p id="code" tabindex="-1" aria-live="polite"></p>
  <button type="button" id="copy">{words["copy"]}</button>
  <span id="copied" role="status"></span>
  <p class="hint">{words["change"]}</p>
</div>
</main>
<script type="application/json" id="form-data">{_script_data(instrument, form_id, tr)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""

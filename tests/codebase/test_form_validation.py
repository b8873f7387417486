"""The site checks its forms itself and answers in the page's language, in an error summary.
A form without ``novalidate`` lets the browser stop the submit with its own bubble, in the
browser's language ("Please check this box if you want to proceed." on an Azerbaijani page),
before the site can speak: the cancel page's confirmation box did, and the door's forms."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", ".git", "data"}
FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
# what makes a browser validate: a `required` attribute written out, or a Django field rendered
# by its widget (which writes `required`, `type="email"`, `min`/`max` itself)
VALIDATED = re.compile(r"\brequired\b(?!\s*%\})|\{\{\s*field\s*\}\}|\{%\s*for field in|_field\.html")


def _templates():
    for path in ROOT.rglob("templates/**/*.html"):
        if path.is_file() and not SKIP & set(path.relative_to(ROOT).parts):
            yield path


def test_every_form_the_browser_would_check_is_novalidate():
    offenders = []
    for path in _templates():
        text = path.read_text(errors="replace")
        for form in FORM.finditer(text):
            tag = form.group(0)[: form.group(0).index(">") + 1]
            if "novalidate" not in tag and VALIDATED.search(form.group(1)):
                line = text.count("\n", 0, form.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == [], "add novalidate: the site's own error summary speaks the page's language"


CHECKBOX = re.compile(r"<input\b[^>]*\btype=\"checkbox\"")
LABEL_OPEN = re.compile(r"<label\b[^>]*>")


def test_every_written_out_checkbox_sits_in_its_check_label():
    """A box written out in a template sits inside its `<label class="check">`, as the fields'
    templates put it: beside the words it ticks, all of them clickable. A box beside a separate
    label stood alone on its own line at 390 px, its label in bold under it (the programme's
    "Issue them now" box)."""
    offenders = []
    for path in _templates():
        text = path.read_text(errors="replace")
        for box in CHECKBOX.finditer(text):
            before = text[: box.start()]
            opened = list(LABEL_OPEN.finditer(before))
            inside = opened and "</label>" not in before[opened[-1].end() :]
            if not (inside and 'class="check"' in opened[-1].group(0)):
                offenders.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, box.start()) + 1}")
    assert offenders == [], 'put the box inside <label class="check">, before its words'


def test_no_template_writes_a_label_with_djangos_colon():
    """`{{ field.label_tag }}` adds Django's label suffix, a colon: the filter boxes read "Search:",
    "Search name or email:", "Kind:", while every other label of the site (the fields' templates)
    has none. A label is written `<label for="{{ f.id_for_label }}">{{ f.label }}</label>`."""
    offenders = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, found.start()) + 1}"
        for path in _templates()
        for text in [path.read_text(errors="replace")]
        for found in re.finditer(r"\.label_tag\b", text)
    ]
    assert offenders == []

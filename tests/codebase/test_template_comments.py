"""Django's {# ... #} comment ends on its own line: one spread over two lines is not a comment,
and every visitor reads it as text (the cancel page showed its reasoning under the event)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", ".git", "data"}
UNCLOSED = re.compile(r"\{#(?!.*#\})")


def _templates():
    for path in ROOT.rglob("templates/**/*"):
        if path.is_file() and not SKIP & set(path.relative_to(ROOT).parts):
            yield path


def test_no_template_comment_spans_lines():
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1)
        if UNCLOSED.search(line)
    ]
    assert unclosed == [], "use {% comment %} ... {% endcomment %} for a comment of several lines"


def test_the_cancel_page_shows_no_template_comment(client, db):
    from registrations.services.registration import register
    from tests import factories

    registration = register(
        event=factories.EventFactory(), name="Aysel", email="aysel@example.org", consent_data_processing=True
    )

    page = client.get(f"/registrations/manage/{registration.manage_token}/cancel/")

    assert page.status_code == 200
    assert "{#" not in page.text and "#}" not in page.text

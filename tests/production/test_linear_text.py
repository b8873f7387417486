"""Typed text is read in time in proportion to its length: each of these took the square (or the
cube) of it, so a pasted line, a wording or a name of a few thousand blanks or commas held a
worker for seconds to hours (bad input gets a clear answer, never a request holding a worker)."""

import time

import pytest

from events_project.log_redaction import redact
from events_project.typed_text import tidy_line, tidy_text
from notifications.services.templates import WORDING_BODY_MAX, check_placeholders, placeholders_in
from programmes.enrolment_lists import read_lines

# each input took at least 15 seconds before; each takes milliseconds now
FAST_ENOUGH = 1.0


def _seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def test_a_wording_of_open_braces_and_blanks_is_checked_at_once():
    body = "{{" + " " * 3_000 + "x"
    assert len(body) <= WORDING_BODY_MAX

    assert _seconds(lambda: check_placeholders("", body)) < FAST_ENOUGH
    assert placeholders_in("Hi {{ name }}, {{registration.user}} {{}} {{ left open") == {
        "name",
        "registration.user",
        "",
    }


def test_a_pasted_line_of_commas_is_refused_at_once():
    rows, refused = [], []

    def read():
        rows[:], refused[:] = read_lines("a" + "," * 30_000 + "a")

    assert _seconds(read) < FAST_ENOUGH
    assert rows == [] and [refusal["code"] for refusal in refused] == ["bad_email"]


@pytest.mark.parametrize(
    ("line", "name", "email"),
    [
        ("Aysel Aliyeva <aysel@example.org>", "Aysel Aliyeva", "aysel@example.org"),
        ('"Aysel Aliyeva", <aysel@example.org> ;', "Aysel Aliyeva", "aysel@example.org"),
        ("Aliyeva, Aysel; aysel@example.org", "Aliyeva, Aysel", "aysel@example.org"),
    ],
)
def test_a_pasted_line_is_read_as_before(line, name, email):
    assert read_lines(line) == ([{"line": 1, "name": name, "email": email}], [])


def test_a_name_with_a_long_run_of_blanks_inside_is_tidied_at_once():
    text = "a" + " " * 20_000 + "a"

    assert _seconds(lambda: tidy_text(text)) < FAST_ENOUGH
    assert tidy_text("\u200d  Aysel \u200c\u200b ") == "Aysel"
    assert tidy_text(" \u200c ") == ""
    assert tidy_line(text) == "a a"


def test_a_long_run_of_letters_is_redacted_at_once():
    text = "Not Found: /" + "a" * 10_000 + " @"

    assert _seconds(lambda: redact(text)) < FAST_ENOUGH
    assert redact("(event_id, email)=(3, ana@example.org) ?to=ana%40example.org") == (
        "(event_id, email)=(3, [email]) ?to=[email]"
    )

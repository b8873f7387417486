"""Typed text is read in time in proportion to its length: each of these took the square (or the
cube) of it, so a pasted line, a wording or a name of a few thousand blanks or commas held a
worker for seconds to hours (bad input gets a clear answer, never a request holding a worker).

No test here times anything (speed is the benchmarks' business, bench/): each input is sized so
that the old code would not finish within the CI's run at all (tens of minutes to hours, by the
growth measured: 10,000 commas 3.3 s, 4,000 blanks 1.1 s, 4,000 letters 2.3 s, 1,000 blanks after
'{{' 7 s), while reading it in one pass takes milliseconds: without the fix the suite never ends."""

import pytest

from events_project.log_redaction import redact
from events_project.typed_text import tidy_line, tidy_text
from notifications.services.templates import WORDING_BODY_MAX, check_placeholders, placeholders_in
from programmes.enrolment_lists import read_lines


def test_a_wording_of_open_braces_and_blanks_is_checked_at_once():
    body = "{{" + " " * (WORDING_BODY_MAX - 3) + "x"
    assert len(body) == WORDING_BODY_MAX

    check_placeholders("", body)  # the old pattern: hours
    assert placeholders_in("Hi {{ name }}, {{registration.user}} {{}} {{ left open") == {
        "name",
        "registration.user",
        "",
    }


def test_a_pasted_line_of_commas_is_refused_at_once():
    rows, refused = read_lines("a" + "," * 200_000 + "a")  # the form's most; the old split: ~20 minutes

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
    text = "a" + " " * 200_000 + "a"  # the old trim: ~45 minutes

    assert tidy_text(text) == text
    assert tidy_text("\u200d  Aysel \u200c\u200b ") == "Aysel"
    assert tidy_text(" \u200c ") == ""
    assert tidy_line(text) == "a a"


def test_a_long_run_of_letters_is_redacted_at_once():
    text = "Not Found: /" + "a" * 100_000 + " @"  # the old pattern: ~20 minutes

    assert redact(text) == text
    assert redact("(event_id, email)=(3, ana@example.org) ?to=ana%40example.org") == (
        "(event_id, email)=(3, [email]) ?to=[email]"
    )

"""The outbox's message class writes what Django's writes: its text parts are copies of a part
made once (notifications.mime.text_part), which must give the very bytes Django's SafeMIMEText
gives, whatever the text."""

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText

from notifications.mime import ProgrammeEmail, text_part

TEXTS = [
    "",
    "Hello Aysel,\nsee you tomorrow.\n",
    "Salam Aysel, görüş sabah saat 18:00-da başlayır.\n",
    "no line break at the end",
    "Windows\r\nline endings\r\n",
    "ə" * 249 + "\n" + "a" * 249,  # short enough either way
    "a" * 998,  # the longest line Django sends as it is
    "a" * 999,  # one byte more: quoted-printable
    "ə" * 499 + "\n",  # 998 bytes in UTF-8
    "ə" * 500,  # 1,000 bytes in UTF-8: quoted-printable
    "x\u2028" * 300,  # a line separator splitlines() breaks at, and \n does not
    "<p>Link: <a href='https://example.org/a?b=c&amp;d=e'>here</a></p>\n" * 40,
    "tab\tand form feed\x0c and \x85 next line",
    "emoji 🎉 and a zero-width\u200bspace",
]


def _same_parts(ours, theirs):
    assert ours.as_bytes() == theirs.as_bytes()
    assert ours.as_string() == theirs.as_string()
    assert ours.items() == theirs.items()
    assert ours.get_payload(decode=True) == theirs.get_payload(decode=True)


@pytest.mark.parametrize("subtype", ["plain", "html", "calendar"])
@pytest.mark.parametrize("text", TEXTS)
def test_a_text_part_is_djangos(text, subtype):
    _same_parts(text_part(text, subtype, "utf-8"), SafeMIMEText(text, subtype, "utf-8"))


def test_text_parts_made_from_one_do_not_share_their_headers():
    first = text_part("one", "plain", "utf-8")
    second = text_part("two", "plain", "utf-8")
    first.add_header("Content-Disposition", "attachment", filename="one.txt")
    assert "Content-Disposition" not in second
    assert second.get_payload() == "two"
    _same_parts(second, SafeMIMEText("two", "plain", "utf-8"))


@pytest.mark.parametrize("text", TEXTS)
def test_a_message_is_djangos_but_for_its_subject(text):
    fields = {
        "subject": "Görüş sabah",
        "body": text,
        "from_email": "Programme <noreply@example.org>",
        "to": ["Aysel Məmmədova <aysel@example.org>"],
        "reply_to": ["organiser@example.org"],
        "headers": {"Message-ID": "<1@example.org>", "Date": "Sat, 28 Nov 2026 22:00:00 -0000", "X-A": "b"},
    }
    ours, theirs = ProgrammeEmail(**fields), EmailMultiAlternatives(**fields)
    for message in (ours, theirs):
        message.attach_alternative(f"<p>{text}</p>", "text/html")
        message.attach("notes.txt", text, "text/plain")
    ours, theirs = ours.message(), theirs.message()
    assert [(name, value) for name, value in ours.items() if name != "Subject"] == [
        (name, value) for name, value in theirs.items() if name != "Subject"
    ]
    ours_parts = [part for part in ours.walk() if not part.is_multipart()]
    theirs_parts = [part for part in theirs.walk() if not part.is_multipart()]
    assert len(ours_parts) == len(theirs_parts) == (3 if text else 2)
    for mine, django in zip(ours_parts, theirs_parts, strict=True):
        _same_parts(mine, django)


@pytest.mark.parametrize("localtime", [False, True])
def test_a_messages_date_is_djangos(localtime, settings):
    settings.EMAIL_USE_LOCALTIME = localtime
    fields = {"subject": "Hello", "body": "Hi", "from_email": "noreply@example.org", "to": ["a@example.org"]}
    for _attempt in range(3):
        ours = ProgrammeEmail(**fields).message()["Date"]
        theirs = EmailMultiAlternatives(**fields).message()["Date"]
        if ours == theirs:  # not the same second otherwise: again
            break
    assert ours == theirs

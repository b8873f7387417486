"""The MIME shape calendar clients expect.

Outlook and Gmail offer "Accept / Add to calendar" for a ``text/calendar; method=…`` part
inside the ``multipart/alternative`` (next to the text and HTML), and most clients also keep an
``invite.ics`` attachment. Django would write ``text/calendar; method=REQUEST; charset=utf-8``
as the subtype and add its own charset (twice); here the part is built with the charset once
and ``method`` as a proper parameter.

A subject that is not plain ASCII is encoded knowing that "Subject: " comes before it: Django
encodes it as if it started the line, and Python's generator, finding the first encoded word
too long to follow the name, starts it on the next line (``Subject:`` then a folded line),
which readers that keep folding whitespace show as a leading space.

A subject is encoded once per distinct text (and line ending) in a process, not once per
message: the standard library folds an encoded subject in pure Python, one measurement of the
whole line per character (some 0.3 ms for a 60-character Azerbaijani subject, 0.08 ms for an
English one), and the 10,000 reminders of a fan-out share a handful of subjects. Django's own
encoding in ``message()``, which this class replaced anyway, is not done at all.

A text part (the plain text, the HTML) is Django's ``SafeMIMEText`` with its headers copied from
one made once per subtype, its text put in as the standard library would: making each part
anew parsed and rewrote its Content-Type three times (some 0.1 ms a part, about a fifth of
a fan-out's CPU). The bytes written are the same (checked by the tests against Django's class).
"""

import functools
import time
from email.header import Header
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.core.mail.utils import DNS_NAME

# the longest line Django sends as it is, in bytes (a longer one makes it encode the part
# quoted-printable: such a text is made by Django)
LONGEST_LINE = 998


def _params(mimetype: str) -> tuple[str, dict]:
    base, *rest = [part.strip() for part in mimetype.split(";")]
    params = {}
    for item in rest:
        key, _sep, value = item.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return base.lower(), params


@functools.lru_cache(maxsize=1024)
def _ascii_subject(subject: str) -> str:
    # what Django's message() stores for a plain ASCII subject (forbid_multi_line_headers)
    return Header(subject).encode()


@functools.lru_cache(maxsize=1024)
def _encoded_subject(subject: str, encoding: str, splitchars: str, maxlinelen, linesep: str) -> str:
    return Header(subject, encoding, header_name="Subject").encode(splitchars, maxlinelen, linesep)


@functools.lru_cache(maxsize=32)
def _text_part_made_once(subtype: str, eight_bit: bool) -> SafeMIMEText:
    return SafeMIMEText("\u0259" if eight_bit else "a", subtype, "utf-8")


def _has_long_lines(content: str) -> bool:
    """What ``SafeMIMEText.set_payload`` asks of a UTF-8 text: a line longer than 998 bytes."""
    return any(len(line.encode(errors="surrogateescape")) > LONGEST_LINE for line in content.splitlines())


def text_part(content, subtype: str, encoding: str) -> SafeMIMEText:
    """``SafeMIMEText(content, subtype, encoding)``: for UTF-8 text without long lines, a copy of a
    part made once (its Content-Type, MIME-Version and Content-Transfer-Encoding, 8bit when the
    text is not plain ASCII, as ``email.encoders.encode_7or8bit`` decides) with ``content`` as its
    payload, stored as ``email.message.Message.set_payload`` stores it."""
    if encoding != "utf-8" or not isinstance(content, str):
        return SafeMIMEText(content, subtype, encoding)
    try:
        data = content.encode("utf-8")
    except UnicodeEncodeError:
        # Django's own error
        return SafeMIMEText(content, subtype, encoding)
    # the lines between b"\n" and b"\r" hold every line str.splitlines() finds (it also breaks at
    # other characters): none of them over 998 bytes, no line of Django's check is either
    if max(map(len, data.splitlines()), default=0) > LONGEST_LINE and _has_long_lines(content):
        return SafeMIMEText(content, subtype, encoding)
    made = _text_part_made_once(subtype, len(data) != len(content))
    part = SafeMIMEText.__new__(SafeMIMEText)
    part.__dict__.update(made.__dict__)
    part._headers = list(made._headers)
    part.defects = []
    part._payload = data.decode("ascii", "surrogateescape")
    return part


_DATE_OF_SECOND: dict[tuple[int, bool], str] = {}


def _date(localtime: bool) -> str:
    """``formatdate(localtime=localtime)`` of now, written once a second (it names the second)."""
    key = (int(time.time()), localtime)
    written = _DATE_OF_SECOND.get(key)
    if written is None:
        _DATE_OF_SECOND.clear()
        written = _DATE_OF_SECOND[key] = formatdate(key[0], localtime=localtime)
    return written


class _Subject(Header):
    """``Header(subject, encoding, header_name="Subject")``, its encoding written once per text
    and line ending (``_encoded_subject``) when a message is written out."""

    def __init__(self, subject: str, encoding: str):
        super().__init__(subject, encoding, header_name="Subject")
        self._subject, self._encoding = subject, encoding

    def encode(self, splitchars=";, \t", maxlinelen=None, linesep="\n"):
        return _encoded_subject(self._subject, self._encoding, splitchars, maxlinelen, linesep)


class ProgrammeEmail(EmailMultiAlternatives):
    def message(self):
        subject = self.subject
        text = str(subject)  # subject may be lazy
        if "\n" in text or "\r" in text:
            # Django's own refusal (forbid_multi_line_headers), before anything is built
            raise BadHeaderError(f"Header values can't contain newlines (got {text!r} for header 'Subject')")
        # built with an empty subject, then given its own: Django would encode the subject for
        # every message, as if it started the line, only for it to be replaced here
        self.subject = ""
        try:
            message = self._message()
        finally:
            self.subject = subject
        if text.isascii():
            value = _ascii_subject(text)
        else:
            value = _Subject(text, self.encoding or settings.DEFAULT_CHARSET)
        # email.message.Message's own replace_header: Django's __setitem__ would encode it again
        message.replace_header("Subject", value)
        return message

    def _message(self):
        """Django's ``EmailMessage.message()`` (5.2), its text parts made by ``text_part``."""
        encoding = self.encoding or settings.DEFAULT_CHARSET
        msg = text_part(self.body, self.content_subtype, encoding)
        msg = self._create_message(msg)
        msg["Subject"] = self.subject
        msg["From"] = self.extra_headers.get("From", self.from_email)
        self._set_list_header_if_not_empty(msg, "To", self.to)
        self._set_list_header_if_not_empty(msg, "Cc", self.cc)
        self._set_list_header_if_not_empty(msg, "Reply-To", self.reply_to)
        header_names = [key.lower() for key in self.extra_headers]
        if "date" not in header_names:
            msg["Date"] = _date(settings.EMAIL_USE_LOCALTIME)
        if "message-id" not in header_names:
            msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        for name, value in self.extra_headers.items():
            if name.lower() not in {"from", "to", "cc", "reply-to"}:
                msg[name] = value
        return msg

    def _create_mime_attachment(self, content, mimetype):
        if mimetype in ("text/plain", "text/html"):
            return text_part(content, mimetype[5:], self.encoding or settings.DEFAULT_CHARSET)
        base, params = _params(mimetype or "")
        if base != "text/calendar":
            return super()._create_mime_attachment(content, mimetype)
        if isinstance(content, bytes):
            content = content.decode("utf-8")
        part = text_part(content, "calendar", self.encoding or settings.DEFAULT_CHARSET)
        if params.get("method"):
            part.set_param("method", params["method"].upper(), requote=False)
        return part

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
"""

from email.header import Header

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText


def _params(mimetype: str) -> tuple[str, dict]:
    base, *rest = [part.strip() for part in mimetype.split(";")]
    params = {}
    for item in rest:
        key, _sep, value = item.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return base.lower(), params


class ProgrammeEmail(EmailMultiAlternatives):
    def message(self):
        message = super().message()  # refuses a subject with a line break (BadHeaderError)
        if not str(self.subject).isascii():
            encoding = self.encoding or settings.DEFAULT_CHARSET
            # email.message.Message's own replace_header: Django's __setitem__ would encode it again
            message.replace_header("Subject", Header(str(self.subject), encoding, header_name="Subject"))
        return message

    def _create_mime_attachment(self, content, mimetype):
        base, params = _params(mimetype or "")
        if base != "text/calendar":
            return super()._create_mime_attachment(content, mimetype)
        if isinstance(content, bytes):
            content = content.decode("utf-8")
        part = SafeMIMEText(content, "calendar", self.encoding or settings.DEFAULT_CHARSET)
        if params.get("method"):
            part.set_param("method", params["method"].upper(), requote=False)
        return part

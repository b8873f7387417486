"""The MIME shape calendar clients expect.

Outlook and Gmail offer "Accept / Add to calendar" for a ``text/calendar; method=…`` part
inside the ``multipart/alternative`` (next to the text and HTML), and most clients also keep an
``invite.ics`` attachment. Django would write ``text/calendar; method=REQUEST; charset=utf-8``
as the subtype and add its own charset (twice); here the part is built with the charset once
and ``method`` as a proper parameter.
"""

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

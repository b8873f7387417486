"""Keep people's email addresses out of the logs.

Services are written not to log personal data, but exception messages are not under our
control (an IntegrityError quotes the duplicate key, e.g. ``(event_id, email)=(3,
ana@example.org)``). This filter on every log handler masks whatever slipped through.
"""

import logging
import re

# also URL-encoded, as an address appears in a query string (ana%40example.org); an address starts
# where a run of its letters starts (the look-behind): tried at every letter of a long run, the
# expression scanned the rest of the run each time, so a 4,000-letter path in a "Not Found" line
# took 2 seconds to log
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+(?:@|%40)([A-Za-z0-9\-]+\.)+[A-Za-z]{2,}", re.IGNORECASE)


def redact(text: str) -> str:
    return EMAIL.sub("[email]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "@" in message or "%40" in message:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403, 404, 400: ``django.request``'s warnings, which carry the exception
    that answered it) is logged as its one line, without the traceback: the request was wrong,
    not the service, and a crawler's hundred 403s buried the one 500 worth reading. A 5xx keeps
    its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name == "django.request" and getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True

"""The language a person reads their messages in."""

from django.conf import settings

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def supported(code: str | None) -> str:
    """``code`` if the site speaks it (``az-AZ`` → ``az``), else ""."""
    code = (code or "").strip().lower().replace("_", "-")
    if code in LANGUAGE_CODES:
        return code
    base = code.split("-", 1)[0]
    return base if base in LANGUAGE_CODES else ""


def language_of(about) -> str:
    """The language recorded for the person a message is about (a registration's); "" when
    none is recorded (the caller may pass one to queue_message)."""
    if about is None:
        return ""
    # Only a language the person chose counts: a speaker's list of spoken languages or an
    # event's language say nothing of how they want to read their mail.
    if about._meta.label_lower == "registrations.registration":
        return supported(about.language)
    return ""


def visit_language(*, cookie: str | None, accept_language: str | None, negotiated: str) -> str:
    """The language a visit asked for: ``negotiated`` (LocaleMiddleware's answer) when the
    visitor's language cookie or ``Accept-Language`` names a language the site speaks, else ""
    (LocaleMiddleware fell back to the site's default, which says nothing of the person)."""
    asked = [item.split(";", 1)[0] for item in (accept_language or "").split(",")]
    if supported(cookie) or any(supported(code) for code in asked):
        return supported(negotiated)
    return ""


def request_language(request) -> str:
    """The language a request asked for (:func:`visit_language` of its cookie, ``Accept-Language``
    and ``LocaleMiddleware``'s answer), "" when it asked for none: the one rule the pages and the
    API use for the language a person's records (a registration, a speaker's answer) keep for
    their mail. "" lets the reader's own choice or :func:`default_language` speak at send time,
    where the site's ``LANGUAGE_CODE`` would have sent English to an Azerbaijani programme."""
    return visit_language(
        cookie=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
        accept_language=request.META.get("HTTP_ACCEPT_LANGUAGE"),
        negotiated=getattr(request, "LANGUAGE_CODE", ""),
    )


def default_language(event=None) -> str:
    """The language of mail to someone whose language is unknown: the event's, for mail about an
    event (a programme run in Azerbaijani writes to its mentees, speakers and door staff in it), else
    ``DEFAULT_MAIL_LANGUAGE`` (by default the site's ``LANGUAGE_CODE``)."""
    if event is not None and supported(getattr(event, "language", "")):
        return supported(event.language)
    return supported(settings.DEFAULT_MAIL_LANGUAGE) or settings.LANGUAGE_CODE


def message_language(code: str | None, *, event=None, fallback: str = "") -> str:
    """The language a message is rendered in: the recipient's (chosen for this message, else
    recorded for them), else ``fallback`` (the language of what a message with no event is about,
    as its queuer put it in the context: ``FALLBACK_LANGUAGE``), else ``default_language(event)``."""
    return supported(code) or supported(fallback) or default_language(event)


# the context key of a message with no event that still speaks for events (a cohort's sessions):
# the language their mail is in when the recipient's is unknown (``message_language``)
FALLBACK_LANGUAGE = "fallback_language"

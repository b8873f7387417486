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
    """The language recorded for the person a message is about: a registration's, an
    invitation's, a speaker's (through the assignment); "" when none is recorded."""
    if about is None:
        return ""
    label = about._meta.label_lower
    if label in ("registrations.registration", "registrations.invitation", "speakers.speaker"):
        return supported(getattr(about, "language", ""))
    if label == "speakers.speakerassignment":
        return supported(getattr(about.speaker, "language", ""))
    return ""


def message_language(code: str | None) -> str:
    """The language a message is rendered in: the recipient's, else the site's default."""
    return supported(code) or settings.LANGUAGE_CODE

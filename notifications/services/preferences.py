"""Which optional messages a person wants, and the signed links that change it.

The links (preferences page, one-click unsubscribe of RFC 8058) carry the address signed, so
nobody can change someone else's choice; they do not expire, as an unsubscribe link must keep
working in an old email.
"""

import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.exceptions import NotFound
from notifications.language import default_language, supported
from notifications.models import MessagePreference

SALT = "notifications.preferences"
# the messages a person may turn off; everything else is about something they did or hold
OPTIONAL_KINDS = (kinds.REMINDER, kinds.FOLLOW_UP_ATTENDED, kinds.FOLLOW_UP_NO_SHOW)


def preferences_token(email: str) -> str:
    """The address signed: what ``signing.dumps(address, salt=SALT)`` writes (its JSON, base64, the
    time, an HMAC-SHA256 under the key Django derives from ``SECRET_KEY`` and this salt), so
    ``email_of_token`` reads it with ``signing.loads`` as it reads every link sent before.

    Written directly: a fan-out signs every message's links, and ``signing.dumps`` built a signer
    (reading the settings), derived the key again and tried zlib on each short address (never
    shorter for an address: links before 2026-11-29 were made with ``compress=True``, which only
    adds a mark to the rare address that compresses, and ``loads`` reads both)."""
    payload = signing.b64_encode(json.dumps(tidy_email(email), separators=(",", ":")).encode("latin-1")).decode()
    value = f"{payload}:{signing.b62_encode(int(time.time()))}"
    signature = signing.b64_encode(hmac.digest(_signing_key(settings.SECRET_KEY), value.encode(), "sha256"))
    return f"{value}:{signature.decode()}"


@functools.lru_cache(maxsize=4)
def _signing_key(secret: str | bytes) -> bytes:
    """The key ``signing.Signer(salt=SALT)`` signs with (``salted_hmac``: the salt and "signer"
    before the secret, hashed): the same secret and salt, so the same separation from other links."""
    salt = f"{SALT}signer".encode()
    return hashlib.sha256(salt + (secret if isinstance(secret, bytes) else secret.encode())).digest()


def email_of_token(token: str) -> str:
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise NotFound(_("This link is not valid."), "invalid_link") from None


def links(email: str) -> tuple[str, str]:
    """The preferences page and the one-click unsubscribe of ``email`` (one signature for both)."""
    token = preferences_token(email)
    return (
        f"{settings.SITE_URL}/messages/preferences/{token}/",
        f"{settings.SITE_URL}/messages/unsubscribe/{token}/",
    )


def muted_kinds(email: str) -> set[str]:
    preference = MessagePreference.objects.filter(email=tidy_email(email)).first()
    return set(preference.muted_kinds) if preference else set()


def muted_among(emails) -> dict[str, set[str]]:
    """The muted kinds of each of ``emails`` that muted any (one query for a batch)."""
    lowered = {tidy_email(email) for email in emails}
    return {
        email: set(muted)
        for email, muted in MessagePreference.objects.filter(email__in=lowered).values_list("email", "muted_kinds")
        if muted
    }


@transaction.atomic
def set_wanted_kinds(*, email: str, wanted) -> MessagePreference:
    """Keep the optional kinds in ``wanted``, mute the others."""
    wanted = set(wanted)
    muted = [kind for kind in OPTIONAL_KINDS if kind not in wanted]
    preference, _created = MessagePreference.objects.update_or_create(
        email=tidy_email(email), defaults={"muted_kinds": muted}
    )
    return preference


def set_language(*, email: str, language: str) -> MessagePreference | None:
    """Remember the language ``email`` reads mail in (a language the site does not speak: nothing)."""
    code = supported(language)
    if not code or not email:
        return None
    preference, _created = MessagePreference.objects.update_or_create(
        email=tidy_email(email), defaults={"language": code}
    )
    return preference


def remember_language(*, email: str, language: str) -> MessagePreference | None:
    """The language of the page a person acted on (a speaker answering an invitation), kept for
    their address unless it chose one already (the switcher, the preferences page)."""
    code = supported(language)
    if not code or not email:
        return None
    preference, created = MessagePreference.objects.get_or_create(email=tidy_email(email), defaults={"language": code})
    if not created and not preference.language:
        MessagePreference.objects.filter(pk=preference.pk, language="").update(language=code)
        preference.language = code
    return preference


def languages_of(emails) -> dict[str, str]:
    """The chosen language of each of ``emails`` that chose one (one query for a batch)."""
    lowered = {tidy_email(email) for email in emails}
    if not lowered:
        return {}
    rows = MessagePreference.objects.filter(email__in=lowered).exclude(language="").values_list("email", "language")
    return dict(rows)


def reading_language(*, email: str, asked: str = "", event=None) -> str:
    """The language a message to ``email`` is read in, decided when it is queued: ``asked`` (the
    language the request that asked for it asked for, ``request_language``), else the one the
    address chose, else ``default_language(event)``: the rule the outbox applies when it renders
    a row (``outbox.render_message``), for a caller that writes words into the context at once
    (the ticket links' rows)."""
    code = supported(asked)
    if code:
        return code
    return languages_of([email]).get(tidy_email(email), "") or default_language(event)


def unsubscribe(*, email: str) -> MessagePreference:
    """One click: no more optional messages."""
    return set_wanted_kinds(email=email, wanted=())

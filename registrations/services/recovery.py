"""Lost ticket links: a person asks, by address, for the private links of their registrations.

The page that asks says the same whether or not the address has registrations (it must not
tell a stranger who is registered), so this service answers nothing either: it sends one
message when there is something to send, and nothing otherwise.

Registering again with an address that holds a registration is the same question asked another
way (anyone can type someone's address): the answer tells the asker nothing of that registration,
and the link goes to the address (:func:`send_link_to_holder`).
"""

import hashlib

from django.conf import settings
from django.utils import timezone, translation

from events import when
from events_project.typed_text import tidy_email
from notifications import kinds
from notifications.language import message_language
from notifications.services import preferences, queue_message
from notifications.services.preferences import languages_of
from registrations.models import ACTIVE_STATUSES, Registration
from registrations.selectors import registrations_for_email

# One message per address and set of registrations within this window, however often asked.
RESEND_WINDOW_SECONDS = 10 * 60


def links_of(registrations) -> list[dict]:
    """Plain values for the message: title, local start, status and private link of each."""
    rows = []
    for registration in registrations:
        event = registration.event
        rows.append(
            {
                "title": event.title,
                "when": when.event_span(event),
                "status": str(registration.get_status_display()),
                "url": f"{settings.SITE_URL}/registrations/manage/{registration.manage_token}/",
            }
        )
    return rows


def send_ticket_links(*, email: str, language: str = "", now=None) -> int:
    """Email ``email`` the private links of its active registrations for events not yet over,
    in ``language`` (the language the asker's request asked for, ``request_language``; when it
    asked for none, the address's chosen language, else the default mail language:
    ``preferences.reading_language``), the rows' times and statuses as well as the mail around them.

    Returns how many links were sent (0: no message). Asking again within
    RESEND_WINDOW_SECONDS for the same registrations sends no second message (the outbox's
    dedup key). Side effect: one outbox message, sent after commit.
    """
    now = now or timezone.now()
    address = tidy_email(email)
    registrations = list(
        registrations_for_email(address).filter(status__in=ACTIVE_STATUSES, event__end__gt=now).order_by("event__start")
    )
    if not address or not registrations:
        return 0
    ids = ",".join(str(registration.pk) for registration in registrations)
    window = int(now.timestamp()) // RESEND_WINDOW_SECONDS
    digest = hashlib.sha256(f"{address}|{ids}".encode()).hexdigest()[:32]
    # the rows are written now, so in the language the message is rendered in later
    language = preferences.reading_language(email=address, asked=language)
    with translation.override(language):
        rows = links_of(registrations)
    queue_message(
        kind=kinds.TICKET_LINKS,
        recipient_email=address,
        recipient_name=registrations[0].name,
        dedup_key=f"{kinds.TICKET_LINKS}:{digest}:{window}",
        context={"registrations": rows},
        language=language,
    )
    return len(registrations)


def send_link_to_holder(*, registration: Registration, now=None) -> None:
    """Someone registered again with the address of ``registration`` (an active one) without being
    its signed-in owner: email the address its private link, saying nothing changed.

    The asker is told nothing of the registration (its status, its place on the waiting list);
    the address's owner gets the link in their own language (the one the registration recorded,
    else the one they chose for their mail, else the event's), whoever asked. One message per
    registration within RESEND_WINDOW_SECONDS, however often it is asked (the outbox's dedup key),
    so the form cannot flood an inbox. Side effect: one outbox message, sent after commit.
    """
    if not registration.email:
        return
    now = now or timezone.now()
    event = registration.event
    chosen = registration.language or languages_of([registration.email]).get(registration.email, "")
    language = message_language(chosen, event=event)
    with translation.override(language):
        rows = links_of([registration])
    window = int(now.timestamp()) // RESEND_WINDOW_SECONDS
    queue_message(
        kind=kinds.TICKET_LINKS,
        recipient_email=registration.email,
        recipient_name=registration.name,
        dedup_key=f"{kinds.TICKET_LINKS}:again:{registration.pk}:{window}",
        context={"registrations": rows, "registered_again_for": event.title},
        language=language,
    )

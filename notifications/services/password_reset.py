"""The password reset's mail: one outbox row per account and window, rendered and sent by a
worker like every other message (notifications.account_pages asks for it)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events_project.people import account_name
from notifications import kinds
from notifications.language import supported
from notifications.services.outbox import queue_message

# one reset mail per account within this window, however often the form is sent (a double
# click, an impatient second try): the first link works until it is used or the password changes
RESEND_WINDOW_SECONDS = 10 * 60


def queue_password_reset(*, user, uidb64: str, token: str, language: str = "", now=None) -> None:
    """Queue the one-use link to choose a new password (Django's ``uidb64`` and ``token``) for
    ``user``, in ``language`` (the language the asker's request asked for, ``request_language``);
    when it asked for none, the row records none and the message is read, when sent, in the
    account's chosen language, else the default mail language (``render_message``).
    Side effect: one outbox message, sent after commit."""
    now = now or timezone.now()
    path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    window = int(now.timestamp()) // RESEND_WINDOW_SECONDS
    queue_message(
        kind=kinds.PASSWORD_RESET,
        recipient_email=user.email,
        recipient_name=account_name(user),
        dedup_key=f"{kinds.PASSWORD_RESET}:{user.pk}:{window}",
        context={"reset_url": f"{settings.SITE_URL}{path}", "username": user.get_username()},
        language=supported(language),
    )

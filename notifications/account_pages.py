"""The password reset page, whose mail goes through the outbox like every other message.

Django's ``PasswordResetView`` sends its mail inside the request: a slow mail server held the
web worker for up to ``EMAIL_TIMEOUT`` and a failure lost the mail. Here the form writes one
outbox row (what to send; rendered and sent by a worker after commit, retried if the server is
down) and the page answers at once. The "recovery" throttle guards the form, which sends mail
to a typed address. Mounted at ``/accounts/password_reset/`` by events_project.urls."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse
from django.utils import timezone, translation

from events_project.people import account_name
from events_project.site_pages import too_many_requests
from events_project.throttles import seconds_to_wait
from notifications import kinds
from notifications.language import message_language
from notifications.services import queue_message

# one reset mail per account within this window, however often the form is sent (a double
# click, an impatient second try): the first link works until it is used or the password changes
RESEND_WINDOW_SECONDS = 10 * 60


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form (who gets a link, the one-use token); the mail is queued, not sent."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        window = int(timezone.now().timestamp()) // RESEND_WINDOW_SECONDS
        queue_message(
            kind=kinds.PASSWORD_RESET,
            recipient_email=to_email,
            recipient_name=account_name(user),
            dedup_key=f"{kinds.PASSWORD_RESET}:{user.pk}:{window}",
            context={"reset_url": f"{settings.SITE_URL}{path}", "username": user.get_username()},
            # the language of the page that asked
            language=message_language(translation.get_language() or ""),
        )


class PasswordResetPage(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = seconds_to_wait(request, "recovery")
        if wait is not None:
            return too_many_requests(request, retry_after=wait)
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetPage.as_view()

"""The password reset page, whose mail goes through the outbox like every other message.

Django's ``PasswordResetView`` sends its mail inside the request: a slow mail server held the
web worker for up to ``EMAIL_TIMEOUT`` and a failure lost the mail. Here the form writes one
outbox row (what to send; rendered and sent by a worker after commit, retried if the server is
down) and the page answers at once. The "recovery" throttle guards the form, which sends mail
to a typed address. Mounted at ``/accounts/password_reset/`` by events_project.urls."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from events_project.site_pages import too_many_requests
from events_project.throttles import seconds_to_wait
from notifications.services.password_reset import queue_password_reset


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form (who gets a link, the one-use token); the mail is queued, not sent."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # the language of the page that asked
        language = translation.get_language() or ""
        queue_password_reset(user=context["user"], uidb64=context["uid"], token=context["token"], language=language)


class PasswordResetPage(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = seconds_to_wait(request, "recovery")
        if wait is not None:
            return too_many_requests(request, retry_after=wait)
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetPage.as_view()

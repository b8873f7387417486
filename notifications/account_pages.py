"""The password reset page, whose mail goes through the outbox like every other message.

Django's ``PasswordResetView`` sends its mail inside the request: a slow mail server held the
web worker for up to ``EMAIL_TIMEOUT`` and a failure lost the mail. Here the form writes one
outbox row (what to send; rendered and sent by a worker after commit, retried if the server is
down) and the page answers at once. The "recovery" throttle guards the form, which sends mail
to a typed address. Mounted at ``/accounts/password_reset/`` by events_project.urls."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm

from events_project.site_pages import too_many_requests
from events_project.throttles import seconds_to_wait
from notifications.language import request_language
from notifications.services.password_reset import queue_password_reset


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form (who gets a link, the one-use token); the mail is queued, not sent."""

    asked_language = ""

    def save(self, *args, request=None, **kwargs):
        # the language the visitor asked for (the one rule: notifications.language.request_language),
        # not LocaleMiddleware's answer, which is the site's LANGUAGE_CODE when they asked for none
        self.asked_language = request_language(request) if request is not None else ""
        return super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        queue_password_reset(
            user=context["user"], uidb64=context["uid"], token=context["token"], language=self.asked_language
        )


class PasswordResetPage(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = seconds_to_wait(request, "recovery")
        if wait is not None:
            return too_many_requests(request, retry_after=wait)
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetPage.as_view()

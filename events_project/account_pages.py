"""Password reset: Django's own views, with the site's templates (templates/registration/),
links built on SITE_URL like every other email, and the "recovery" throttle on the form
that sends mail to a typed address."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from events_project.site_pages import too_many_requests
from events_project.throttles import seconds_to_wait


class PasswordResetPage(auth_views.PasswordResetView):
    extra_email_context = {"site_url": settings.SITE_URL}

    def post(self, request, *args, **kwargs):
        wait = seconds_to_wait(request, "recovery")
        if wait is not None:
            return too_many_requests(request, retry_after=wait)
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetPage.as_view()


class SignOutPage(auth_views.LogoutView):
    """Django's sign-out, which also tells the browser to forget what this site kept on it:
    the door page's offline copy (service worker cache) and its check-in list of names
    (localStorage). A phone passed on at the door keeps nothing of the last volunteer's."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


CLEAR_SITE_DATA = '"cache", "storage"'
sign_out = SignOutPage.as_view()

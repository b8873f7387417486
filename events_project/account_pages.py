"""Signing in and out and the password reset: Django's own views, with the site's templates
(templates/registration/). Signing in never returns to a page for the signed-out (sign-in,
sign-out, password reset): :func:`sign_in_url` and :class:`SignInPage` share the rule. The
password reset page itself is notifications.account_pages: its mail goes through the outbox."""

from urllib.parse import quote, urlsplit

from django.contrib.auth import views as auth_views
from django.urls import Resolver404, resolve, reverse

# pages for someone signed out: after signing in, going back to one is the sign-in form again
# (or a sign-out that refuses a GET), so they are no page to return to
SIGNED_OUT_PAGES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def is_page_to_return_to(url: str) -> bool:
    """Whether signing in may lead back to ``url`` (a path of this site, already judged safe):
    not to the front page (signing in there leads to one's own area, /home/) nor to a page for
    the signed-out."""
    path = urlsplit(url).path
    if path in ("", "/"):
        return False
    # "/accounts/login" is the sign-in page too, one APPEND_SLASH redirect away
    for candidate in (path, path + "/") if not path.endswith("/") else (path,):
        try:
            return resolve(candidate).url_name not in SIGNED_OUT_PAGES
        except Resolver404:
            continue
    return True


def sign_in_url(request) -> str:
    """The header's Sign in link: back to the page it is on, where that is a page to return to."""
    here = request.get_full_path()
    if is_page_to_return_to(here):
        return f"{reverse('login')}?next={quote(here, safe='/')}"
    return reverse("login")


class SignInPage(auth_views.LoginView):
    """Django's sign-in; a ``next`` that is no page to return to leads to one's own area (/home/)."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return url if url and is_page_to_return_to(url) else ""


sign_in = SignInPage.as_view()


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

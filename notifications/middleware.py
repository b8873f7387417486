"""The language a signed-in person uses on the site is the one their mail comes in."""

from django.urls import reverse

from notifications.language import request_language
from notifications.services import preferences

# set in a signed-in session once its visit's language has been offered to remember_language
LANGUAGE_SEEN = "mail_language_seen"


class RememberLanguageMiddleware:
    """After the site's language switcher (``set_language``) answers a signed-in person, their
    address reads mail in that language from now on (``MessagePreference.language``): an explicit
    choice, which always wins. Until an address has chosen, the language its first signed-in visit
    negotiated (``LocaleMiddleware``: the language cookie or ``Accept-Language``) is kept for it
    (``preferences.remember_language``), once per session, for attendees, organisers and speakers
    alike. A message that records its own language (a registration's) keeps that one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = reverse("set_language")

    def __call__(self, request):
        response = self.get_response(request)
        switched = request.method == "POST" and request.path == self.path
        # an API token's request has no session to mark: it is left before its user is read (the
        # door's lean token lookup loads no address, reading it would cost the scan a query)
        if not switched and (not request.session.session_key or request.session.get(LANGUAGE_SEEN)):
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.email:
            return response
        if switched:
            if response.status_code in (200, 302):
                preferences.set_language(email=user.email, language=request.POST.get("language", ""))
            return response
        language = request_language(request)
        if language:
            preferences.remember_language(email=user.email, language=language)
            request.session[LANGUAGE_SEEN] = True
        return response

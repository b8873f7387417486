"""The language a signed-in person picks on the site is the one their mail comes in."""

from django.urls import reverse

from notifications.services import preferences


class RememberLanguageMiddleware:
    """After the site's language switcher (``set_language``) answers a signed-in person, their
    address reads mail in that language from now on (``MessagePreference.language``). A message
    that records its own language (a registration's, chosen on its page) keeps that one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = reverse("set_language")

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == self.path and response.status_code in (200, 302):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.email:
                preferences.set_language(email=user.email, language=request.POST.get("language", ""))
        return response

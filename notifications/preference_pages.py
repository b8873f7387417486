"""The pages behind the links in the fan-out messages: choose which emails you get, and the
one-click unsubscribe (RFC 8058: mail providers POST ``List-Unsubscribe=One-Click``)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from events_project.private_links import private_link
from notifications import kinds
from notifications.exceptions import NotFound
from notifications.services import preferences


def _email(token: str) -> str:
    try:
        return preferences.email_of_token(token)
    except NotFound:
        raise Http404(_("This link is not valid.")) from None


def _choices():
    return [
        (kinds.REMINDER, _("Reminders before an event")),
        (kinds.FOLLOW_UP_ATTENDED, _("Thanks, materials and feedback after an event")),
        (kinds.FOLLOW_UP_NO_SHOW, _("What is coming up, when you missed an event")),
    ]


@private_link
@require_http_methods(["GET", "POST"])
def preferences_page(request, token: str):
    email = _email(token)
    saved = False
    if request.method == "POST":
        preferences.set_wanted_kinds(email=email, wanted=request.POST.getlist("wanted"))
        preferences.set_language(email=email, language=request.POST.get("language", ""))
        saved = True
    muted = preferences.muted_kinds(email)
    choices = [(kind, label, kind not in muted) for kind, label in _choices()]
    chosen = preferences.languages_of([email]).get(email.strip().lower(), "")
    return render(
        request,
        "notifications/pages/preferences.html",
        {"email": email, "choices": choices, "saved": saved, "token": token, "chosen_language": chosen},
    )


@csrf_exempt  # the mail provider POSTs it on the person's behalf, without a form of ours
@private_link
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request, token: str):
    email = _email(token)
    if request.method == "POST":
        preferences.unsubscribe(email=email)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
        return render(request, "notifications/pages/unsubscribed.html", {"email": email, "token": token})
    return render(request, "notifications/pages/unsubscribe.html", {"email": email, "token": token})

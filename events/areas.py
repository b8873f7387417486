"""Which parts of the site a signed-in person works in: the header's role links and where
signing in leads. Computed once per request."""

from django.urls import reverse

from events.permissions import is_organiser
from events.selectors import doors_of
from speakers.selectors import speaker_for_user


def roles_of(request) -> dict:
    """``is_organiser``, ``is_speaker`` and ``has_doors`` of the request's user (all False for
    a visitor), cached on the request."""
    cached = getattr(request, "_nav_roles", None)
    if cached is None:
        user = request.user
        cached = {"is_organiser": is_organiser(user), "is_speaker": False, "has_doors": False}
        if user.is_authenticated:
            cached["is_speaker"] = speaker_for_user(user) is not None
            # organisers work the doors of their events: no query needed to know they have some
            cached["has_doors"] = cached["is_organiser"] or doors_of(user).exists()
        request._nav_roles = cached
    return cached


def home_of(request) -> str:
    """Where someone who signed in without a page to go back to starts: their own area (the
    workspace, the speaker area, the doors); anyone else, the events."""
    roles = roles_of(request)
    if roles["is_organiser"]:
        return reverse("manage-events")
    if roles["is_speaker"]:
        return reverse("speaker-area")
    if roles["has_doors"]:
        return reverse("checkin-doors")
    return reverse("event-list")

"""The "My calendars" page: a signed-in person's private calendar subscriptions.

One section per scope the person has (their registrations, when they have any or nothing else; their
talks when the account is linked to a speaker profile; the events they organise), each with subscribe
links for the common calendar programs, a copy button, and "new link" / "switch off".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from events.permissions import is_organiser
from events_project.calendar_links import subscribe_links
from events_project.exceptions import DomainError
from events_project.private_links import private_link
from events_project.throttles import throttled
from feeds import services
from feeds.models import CalendarFeed
from feeds.selectors import calendar_feeds_managed_by
from registrations.selectors import registrations_of_user
from speakers.selectors import speaker_for_user

Scope = CalendarFeed.Scope


def scopes_of(user, *, registered: bool, active: dict) -> list[str]:
    """The calendars the person has: "My registrations" only to someone registered (or holding its
    link already), unless it is all they could have: a speaker or an organiser with no registration
    was offered an empty calendar of registrations first."""
    scopes = []
    if speaker_for_user(user) is not None:
        scopes.append(Scope.SPEAKER)
    if is_organiser(user):
        scopes.append(Scope.ORGANISER)
    if not scopes or registered or Scope.ATTENDEE in active:
        scopes.insert(0, Scope.ATTENDEE)
    return scopes


def _sections(request) -> list[dict]:
    active = {feed.scope: feed for feed in calendar_feeds_managed_by(request.user).filter(revoked_at__isnull=True)}
    registered = registrations_of_user(request.user).exists()
    titles = {
        Scope.ATTENDEE: _("My registrations"),
        Scope.SPEAKER: _("My speaking engagements"),
        Scope.ORGANISER: _("Events I organise"),
    }
    sections = []
    for scope in scopes_of(request.user, registered=registered, active=active):
        feed = active.get(scope)
        section = {"scope": scope, "title": titles[scope], "feed": feed}
        # said plainly rather than offering what looks like a calendar of something
        section["empty"] = scope == Scope.ATTENDEE and not registered
        if feed is not None:
            section["links"] = subscribe_links(request.build_absolute_uri(services.feed_path(feed)), str(titles[scope]))
        sections.append(section)
    return sections


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feeds(request):
    if request.method == "POST":
        scope, action = request.POST.get("scope", ""), request.POST.get("action", "")
        feed = calendar_feeds_managed_by(request.user).filter(scope=scope, revoked_at__isnull=True).first()
        try:
            if action == "create":
                services.create_feed(user=request.user, scope=scope)
                # said in the page's status region: the page comes back at the section, unchanged above it
                messages.success(request, _("Your calendar link is created: subscribe to it below."))
            elif action == "rotate" and feed is not None:
                services.rotate_feed(feed=feed)
                messages.info(request, _("Your calendar link is new; the old one no longer works."))
            elif action == "revoke" and feed is not None:
                services.revoke_feed(feed=feed)
                messages.info(request, _("Your calendar link is switched off."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}#{scope}" if scope in Scope.values else request.path)
    response = render(request, "feeds/pages/calendar_feeds.html", {"sections": _sections(request)})
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@private_link
@throttled("token")
@require_safe
def ticket_calendar(request, token: str):
    """The ticket's "Download .ics": its event by the registration's private link, the join link
    in it for a confirmed seat (``services.ticket_download``); 404 where there is nothing to add."""
    try:
        event, body = services.ticket_download(token=token)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response

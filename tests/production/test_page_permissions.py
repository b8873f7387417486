# ruff: noqa: E501  (one row a line, like the API matrix)
"""The permission matrix of the pages, CSV exports, calendar files and the admin.

Every route of the site outside /api/ (the API has its own matrix in test_permissions.py) has a
row here: who gets what. The routes come from the URL resolver, so a new page, CSV or feed
without a row fails the suite. The admin's rows are built from the admin registry: every
registered model's changelist, add page, change form and actions, for every role; a new model
admin is covered the moment it is registered.

Columns are conftest.ROLES. Door staff open "My doors" and their event's door, nothing of the
workspace. A signed-out visitor of a page behind sign-in is sent to the sign-in
page (302); a signed-in one without the right gets 403 or 404, never the page.
"""

import os

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client

from notifications.services.preferences import preferences_token
from tests.production.conftest import ROLES, UNKNOWN_TOKEN, World, iter_patterns

ALL_200 = " ".join(["200"] * len(ROLES))
SIGNED_IN = "302 " + " ".join(["200"] * (len(ROLES) - 1))
ALL_302 = " ".join(["302"] * len(ROLES))


def _event(w: World) -> int:
    return w.event.pk


def _import(w: World) -> int:
    """An attendance report of the event (made on first use; the world has none)."""
    from attendance.models import AttendanceImport

    found, _ = AttendanceImport.objects.get_or_create(
        event=w.event, defaults={"content": b"name,email,duration\n", "content_sha256": "0" * 64, "status": "done"}
    )
    return found.pk


def _export(w: World) -> int:
    """The organiser's registrations export, written (made on first use; the world has none)."""
    from attendance.models import RegistrationExport
    from attendance.services.exports import build_registrations_export

    found = RegistrationExport.objects.filter(requested_by=w.users["organiser"]).first()
    if found is None:
        found = build_registrations_export(export=RegistrationExport.objects.create(requested_by=w.users["organiser"]))
    return found.pk


# route → (method, URL in the world, expected statuses per role)
PAGE_MATRIX = {
    # --- public pages and files
    "": ("GET", lambda w: "/", ALL_200),
    "events/": ("GET", lambda w: "/events/", ALL_200),
    "events/<id:pk>/": ("GET", lambda w: f"/events/{_event(w)}/", ALL_200),
    "events/<id:pk>/register/": ("GET", lambda w: f"/events/{_event(w)}/register/", ALL_200),
    "speakers/": ("GET", lambda w: "/speakers/", ALL_200),
    "speakers/<id:pk>/": ("GET", lambda w: f"/speakers/{w.speaker.pk}/", ALL_200),
    "speakers/<id:pk>/photo/": ("GET", lambda w: f"/speakers/{w.speaker.pk}/photo/", "404 404 404 404 404 404 404 404 404 404 404"),
    "healthz": ("GET", lambda w: "/healthz", ALL_200),
    "favicon.ico": ("GET", lambda w: "/favicon.ico", ALL_200),
    "calendar/events.ics": ("GET", lambda w: "/calendar/events.ics", ALL_200),
    # a draft series: its feed is nobody's but its organisers' (and they use the workspace)
    "calendar/series/<id:series_id>.ics": ("GET", lambda w: f"/calendar/series/{w.series.pk}.ics", "404 404 404 404 404 404 404 404 404 404 404"),
    # the token is the credential: the attendee's own feed, whoever fetches it
    "calendar/private/<str:token>.ics": ("GET", lambda w: f"/calendar/private/{w.feed.token}.ics", ALL_200),
    "certificates/verify/<str:token>/": ("GET", lambda w: f"/certificates/verify/{UNKNOWN_TOKEN}/", "404 404 404 404 404 404 404 404 404 404 404"),
    # the signed address in the link is the key: anyone holding the email may choose (a forged token is 404)
    "messages/preferences/<str:token>/": ("GET", lambda w: f"/messages/preferences/{preferences_token(w.registration.email)}/", ALL_200),
    "messages/unsubscribe/<str:token>/": ("GET", lambda w: f"/messages/unsubscribe/{preferences_token(w.registration.email)}/", ALL_200),
    # --- signing in and out, language
    "accounts/login/": ("GET", lambda w: "/accounts/login/", ALL_200),
    "accounts/logout/": ("POST", lambda w: "/accounts/logout/", ALL_302),
    # where signing in leads: a redirect for everyone (to sign in first, or to their own area)
    "home/": ("GET", lambda w: "/home/", ALL_302),
    "accounts/password_change/": ("GET", lambda w: "/accounts/password_change/", SIGNED_IN),
    "accounts/password_change/done/": ("GET", lambda w: "/accounts/password_change/done/", SIGNED_IN),
    "accounts/password_reset/": ("GET", lambda w: "/accounts/password_reset/", ALL_200),
    "accounts/password_reset/done/": ("GET", lambda w: "/accounts/password_reset/done/", ALL_200),
    "accounts/reset/<uidb64>/<token>/": ("GET", lambda w: "/accounts/reset/MQ/bad-token/", ALL_200),
    "accounts/reset/done/": ("GET", lambda w: "/accounts/reset/done/", ALL_200),
    "i18n/setlang/": ("POST", lambda w: "/i18n/setlang/", ALL_302),
    # --- the attendee: behind the private link (the token is the credential), or signed in
    "registrations/manage/<str:token>/": ("GET", lambda w: f"/registrations/manage/{w.registration.manage_token}/", ALL_200),
    "registrations/manage/<str:token>/confirmation/": ("GET", lambda w: f"/registrations/manage/{w.registration.manage_token}/confirmation/", ALL_200),
    "registrations/manage/<str:token>/cancel/": ("GET", lambda w: f"/registrations/manage/{w.registration.manage_token}/cancel/", ALL_200),
    "registrations/manage/<str:token>/transfer/": ("GET", lambda w: f"/registrations/manage/{w.registration.manage_token}/transfer/", ALL_200),
    # the ticket's event as an .ics by the same private link: the link is what admits
    "registrations/manage/<str:token>/event.ics": ("GET", lambda w: f"/registrations/manage/{w.registration.manage_token}/event.ics", ALL_200),
    "registrations/manage/<str:token>/accept-offer/": ("POST", lambda w: f"/registrations/manage/{w.registration.manage_token}/accept-offer/", ALL_302),
    "my/tickets/": ("GET", lambda w: "/my/tickets/", SIGNED_IN),
    "my/calendars/": ("GET", lambda w: "/my/calendars/", SIGNED_IN),
    "tickets/recover/": ("GET", lambda w: "/tickets/recover/", ALL_200),
    "tickets/recover/sent/": ("GET", lambda w: "/tickets/recover/sent/", ALL_200),
    # --- speakers: their own area; the answer link's token is the credential
    "speaker/": ("GET", lambda w: "/speaker/", "302 404 404 200 200 404 404 404 404 404 404"),
    "speaker/profile/": ("GET", lambda w: "/speaker/profile/", "302 404 404 200 200 404 404 404 404 404 404"),
    # the speaker's own photo: no one's but their own, and the world's speakers have none yet
    "speaker/profile/photo/": ("GET", lambda w: "/speaker/profile/photo/", "302 404 404 404 404 404 404 404 404 404 404"),
    "speaker/invitations/<id:pk>/answer/": ("POST", lambda w: f"/speaker/invitations/{w.assignment.pk}/answer/", "302 404 404 302 404 404 404 404 404 404 404"),
    "speaker/link/<str:token>/": ("GET", lambda w: f"/speaker/link/{UNKNOWN_TOKEN}/", "400 400 400 400 400 400 400 400 400 400 400"),
    "speaker/invitation/<str:token>/": ("GET", lambda w: f"/speaker/invitation/{UNKNOWN_TOKEN}/", "400 400 400 400 400 400 400 400 400 400 400"),
    # the accepted event's .ics by the same link: a forged token is 404 for everyone
    "speaker/invitation/<str:token>/event.ics": ("GET", lambda w: f"/speaker/invitation/{UNKNOWN_TOKEN}/event.ics", "404 404 404 404 404 404 404 404 404 404 404"),
    # --- the door: organisers and check-in staff of the event
    "checkin/": ("GET", lambda w: "/checkin/", "302 200 200 200 200 200 200 200 200 200 200"),
    "checkin/sw.js": ("GET", lambda w: "/checkin/sw.js", ALL_200),
    "checkin/<id:event_id>/": ("GET", lambda w: f"/checkin/{_event(w)}/", "302 403 403 403 403 403 200 403 403 403 200"),
    # --- organisers: dashboard, CSV exports, impact report, the workspace
    # the old addresses of the dashboard: a permanent redirect into the workspace, for anyone
    "dashboard/": ("GET", lambda w: "/dashboard/", " ".join(["301"] * len(ROLES))),
    "dashboard/registrations.csv": ("GET", lambda w: "/dashboard/registrations.csv", " ".join(["301"] * len(ROLES))),
    "dashboard/attendance.csv": ("GET", lambda w: "/dashboard/attendance.csv", " ".join(["301"] * len(ROLES))),
    "manage/dashboard/": ("GET", lambda w: "/manage/dashboard/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/dashboard/registrations.csv": ("GET", lambda w: "/manage/dashboard/registrations.csv", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/dashboard/attendance.csv": ("GET", lambda w: "/manage/dashboard/attendance.csv", "302 403 403 403 403 403 403 403 403 200 200"),
    # asking for a background export of one's own registrations (of none, for organisers elsewhere)
    "manage/dashboard/exports/": ("POST", lambda w: "/manage/dashboard/exports/", "302 403 403 403 403 403 403 403 403 302 302"),
    # a background export is its requester's only: a 404 for anyone else, signed in or not
    "manage/dashboard/exports/<id:pk>/": ("GET", lambda w: f"/manage/dashboard/exports/{_export(w)}/", "404 404 404 404 404 404 404 404 404 404 200"),
    "manage/dashboard/exports/<id:pk>/registrations.csv": ("GET", lambda w: f"/manage/dashboard/exports/{_export(w)}/registrations.csv", "404 404 404 404 404 404 404 404 404 404 200"),
    "manage/outbox/": ("GET", lambda w: "/manage/outbox/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/events/<id:pk>/registrations/": ("GET", lambda w: f"/manage/events/{_event(w)}/registrations/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/programmes/": ("GET", lambda w: "/manage/programmes/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/programmes/new/": ("GET", lambda w: "/manage/programmes/new/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/programmes/<id:pk>/": ("GET", lambda w: f"/manage/programmes/{w.programme.pk}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/programmes/<id:pk>/cohorts/<id:cohort_pk>/": ("GET", lambda w: f"/manage/programmes/{w.programme.pk}/cohorts/{w.cohort.pk}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "programmes/<id:pk>/report/": ("GET", lambda w: f"/programmes/{w.programme.pk}/report/", "302 404 404 404 404 404 404 404 404 404 200"),
    "manage/": ("GET", lambda w: "/manage/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/events/new/": ("GET", lambda w: "/manage/events/new/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/events/new/<str:kind>/": ("GET", lambda w: "/manage/events/new/workshop/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/events/<id:pk>/": ("GET", lambda w: f"/manage/events/{_event(w)}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/edit/": ("GET", lambda w: f"/manage/events/{_event(w)}/edit/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/duplicate/": ("GET", lambda w: f"/manage/events/{_event(w)}/duplicate/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/publish/": ("POST", lambda w: f"/manage/events/{_event(w)}/publish/", "302 403 403 403 403 403 403 403 403 404 302"),
    "manage/events/<id:pk>/move/": ("GET", lambda w: f"/manage/events/{_event(w)}/move/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/cancel/": ("GET", lambda w: f"/manage/events/{_event(w)}/cancel/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/questions/": ("GET", lambda w: f"/manage/events/{_event(w)}/questions/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/questions/<id:question_pk>/": ("GET", lambda w: f"/manage/events/{_event(w)}/questions/{w.question.pk}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/invitations/": ("GET", lambda w: f"/manage/events/{_event(w)}/invitations/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/speakers/": ("GET", lambda w: f"/manage/events/{_event(w)}/speakers/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/messages/": ("GET", lambda w: f"/manage/events/{_event(w)}/messages/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/messages/<str:kind>/": ("GET", lambda w: f"/manage/events/{_event(w)}/messages/reminder/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/attendance/": ("GET", lambda w: f"/manage/events/{_event(w)}/attendance/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/attendance/imports/<id:import_id>/": ("GET", lambda w: f"/manage/events/{_event(w)}/attendance/imports/{_import(w)}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/events/<id:pk>/team/": ("GET", lambda w: f"/manage/events/{_event(w)}/team/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/series/": ("GET", lambda w: "/manage/series/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/series/new/": ("GET", lambda w: "/manage/series/new/", "302 403 403 403 403 403 403 403 403 200 200"),
    "manage/series/<id:pk>/": ("GET", lambda w: f"/manage/series/{w.series.pk}/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/series/<id:pk>/edit/": ("GET", lambda w: f"/manage/series/{w.series.pk}/edit/", "302 403 403 403 403 403 403 403 403 404 200"),
    "manage/series/<id:pk>/team/": ("GET", lambda w: f"/manage/series/{w.series.pk}/team/", "302 403 403 403 403 403 403 403 403 404 200"),
    "team/accept/<str:token>/": ("GET", lambda w: f"/team/accept/{UNKNOWN_TOKEN}/", "410 410 410 410 410 410 410 410 410 410 410"),
}  # fmt: skip


def site_routes() -> list[str]:
    return [route for route, _ in iter_patterns() if not route.startswith(("api/", "admin/"))]


def page_client(world: World, role: str) -> Client:
    client = Client()
    if world.users.get(role) is not None:
        client.force_login(world.users[role])
    return client


def observe(world: World, method: str, url: str) -> list[str]:
    statuses = []
    for role in ROLES:
        with transaction.atomic():
            response = page_client(world, role).generic(method, url)
            statuses.append(str(response.status_code))
            transaction.set_rollback(True)
    return statuses


def test_every_page_route_has_a_row():
    routes = site_routes()

    missing = sorted(set(routes) - set(PAGE_MATRIX))
    stale = sorted(set(PAGE_MATRIX) - set(routes))

    assert missing == [], f"Routes without a permission row (add them to PAGE_MATRIX): {missing}"
    assert stale == [], f"Rows for routes that no longer exist: {stale}"


def test_page_permission_matrix(world):
    wrong = []
    for route, (method, url, expected) in PAGE_MATRIX.items():
        assert expected, f"{route}: no expected statuses yet (RECORD_MATRIX=1 prints them)"
        observed = observe(world, method, url(world))
        if observed != expected.split():
            wrong.append(f"{route!r} {method}: expected {expected.split()}, got {observed}")
    assert not wrong, "Roles " + ", ".join(ROLES) + ":\n" + "\n".join(wrong)


# --- the admin: superusers only, every registered model, every action -------------------------


def admin_requests(world: World) -> list[tuple[str, str, dict]]:
    """(method, URL, form) of every changelist, add page, change form and action of the admin."""
    requests = [("GET", "/admin/", {})]
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        requests.append(("GET", base, {}))
        requests.append(("GET", base + "add/", {}))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            requests.append(("GET", f"{base}{obj.pk}/change/", {}))
            requests.append(("POST", f"{base}{obj.pk}/change/", {}))
            for action in model_admin.get_actions(_superuser_request()) or {}:
                requests.append(("POST", base, {"action": action, "_selected_action": [obj.pk]}))
    return requests


def _superuser_request():
    from django.test import RequestFactory

    from tests import factories

    request = RequestFactory().get("/admin/")
    request.user = factories.UserFactory.build(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_admin_refuses_every_role_but_superusers(world):
    """Even roles that are staff (an organiser from before migration 0011) are refused."""
    for user in world.users.values():
        if user is not None:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    let_in = []
    for method, url, form in admin_requests(world):
        for role in ROLES:
            with transaction.atomic():
                client = page_client(world, role)
                response = client.post(url, form) if method == "POST" else client.get(url)
                refused = response.status_code == 302 and response["Location"].startswith("/admin/login/")
                if not refused:
                    let_in.append(f"{role}: {method} {url} {form} → {response.status_code}")
                transaction.set_rollback(True)
    assert let_in == []


@pytest.mark.skipif(not os.environ.get("RECORD_MATRIX"), reason="set RECORD_MATRIX=1 to print the observed matrix")
def test_record_page_matrix(world):
    for route, (method, url, expected) in PAGE_MATRIX.items():
        if os.environ.get("RECORD_MATRIX") == "new" and expected is not None:
            continue
        print(f"    {route!r}: {' '.join(observe(world, method, url(world)))}")


# pages every signed-in role may open, each showing only the caller's own: nothing of the event
OWN_ONLY = [
    "/manage/dashboard/", "/manage/dashboard/registrations.csv", "/manage/", "/manage/series/", "/manage/outbox/",
    "/checkin/", "/my/tickets/",
]  # fmt: skip


def test_pages_open_to_all_show_others_nothing_of_the_event(world):
    def shown(role, url):
        response = page_client(world, role).get(url)
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        return [text for text in ("Matrix workshop", world.registration.email) if text in body]

    control = shown("organiser", "/manage/dashboard/registrations.csv")
    leaks = {
        (role, url): found
        for role in ("staff", "staff_sibling", "former_speaker", "staff_elsewhere", "organiser_elsewhere")
        for url in OWN_ONLY
        if (found := shown(role, url))
    }

    assert control == ["Matrix workshop", world.registration.email]
    # the event's door staff see its door among theirs, and none of its registrants
    assert leaks == {("staff", "/checkin/"): ["Matrix workshop"]}

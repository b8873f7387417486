"""Every page of the site, for the tests that open them all (tests/pages/test_every_page.py).

The routes come from the URL resolver. Each one is either a page in PAGES (who opens it, and
how to build its URL from the world below) or, in NOT_PAGES, says why it is not one. A new
route in neither fails tests/pages/test_route_coverage.py: add its row here.

The world is made to provoke sideways scrolling: long titles, a question label of a whole
sentence, long unbroken email addresses and URLs.
"""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from events.models import EventFormat, EventKind
from feeds import services as feed_services
from notifications.services.preferences import preferences_token
from registrations.models import Answer, Registration, RegistrationStatus
from registrations.services.registration import register
from speakers import services as speaker_services
from teams.services import invite_to_series_door, invite_to_team
from tests import factories
from tests.factories import ensure_regions  # noqa: F401 (the pages' tests import it from here)

# Whole parts of the site that are not pages of this site's look.
IGNORED_PREFIXES = {
    "api/": "the JSON API (its docs pages are drf-spectacular's)",
    "admin/": "Django's admin, for superusers only, in its own look",
}

NOT_PAGES = {
    "events/": "the same view as / (opened there)",
    "home/": "a redirect to the signed-in person's own area (tests/pages/test_sign_in_home.py)",
    "healthz": "JSON for monitoring",
    "favicon.ico": "an image",
    "accounts/logout/": "POST only: signs out and redirects",
    "i18n/setlang/": "POST only: changes the language and redirects",
    "registrations/manage/<str:token>/accept-offer/": "POST only: takes the seat, redirects to the ticket",
    "speaker/invitations/<id:pk>/answer/": "POST only: answers, redirects to the speaker area",
    "speakers/<id:pk>/photo/": "an image",
    "speaker/profile/photo/": "the speaker's own photo (an image); POST uploads or removes it",
    "checkin/sw.js": "the check-in page's service worker (JavaScript)",
    "dashboard/": "the dashboard's old address: a redirect to /manage/dashboard/",
    "dashboard/registrations.csv": "the old address of a CSV: a redirect",
    "dashboard/attendance.csv": "the old address of a CSV: a redirect",
    "manage/dashboard/registrations.csv": "CSV",
    "manage/dashboard/attendance.csv": "CSV",
    "manage/dashboard/exports/<id:pk>/registrations.csv": "CSV (a background export's file)",
    "manage/dashboard/exports/": "POST only: asks for a background registrations export, redirects to its page",
    "calendar/events.ics": "iCalendar",
    "calendar/series/<id:series_id>.ics": "iCalendar",
    "calendar/private/<str:token>.ics": "iCalendar",
    "speaker/invitation/<str:token>/event.ics": "iCalendar",
    "registrations/manage/<str:token>/event.ics": "iCalendar",
    "manage/events/<id:pk>/publish/": "POST only: publishes, redirects to the event's overview",
}

# route → (who opens it, its URL in the world)
PAGES = {
    # public
    "": ("anonymous", lambda w: "/"),
    "events/<id:pk>/": ("anonymous", lambda w: f"/events/{w.visit.pk}/"),
    "events/<id:pk>/register/": ("anonymous", lambda w: f"/events/{w.visit.pk}/register/"),
    "speakers/": ("anonymous", lambda w: "/speakers/"),
    "speakers/<id:pk>/": ("anonymous", lambda w: f"/speakers/{w.speaker.pk}/"),
    "certificates/verify/<str:token>/": ("anonymous", lambda w: f"/certificates/verify/{w.certificate_token}/"),
    "messages/preferences/<str:token>/": (
        "anonymous",
        lambda w: f"/messages/preferences/{preferences_token('aysel@example.org')}/",
    ),
    "messages/unsubscribe/<str:token>/": (
        "anonymous",
        lambda w: f"/messages/unsubscribe/{preferences_token('aysel@example.org')}/",
    ),
    "accounts/login/": ("anonymous", lambda w: "/accounts/login/"),
    "accounts/password_reset/": ("anonymous", lambda w: "/accounts/password_reset/"),
    "accounts/password_reset/done/": ("anonymous", lambda w: "/accounts/password_reset/done/"),
    "accounts/reset/<uidb64>/<token>/": ("anonymous", lambda w: w.password_reset_url),
    "accounts/reset/done/": ("anonymous", lambda w: "/accounts/reset/done/"),
    "tickets/recover/": ("anonymous", lambda w: "/tickets/recover/"),
    "tickets/recover/sent/": ("anonymous", lambda w: "/tickets/recover/sent/"),
    # attendee: behind the private link, or signed in
    "registrations/manage/<str:token>/": ("anonymous", lambda w: f"/registrations/manage/{w.ticket.manage_token}/"),
    "registrations/manage/<str:token>/confirmation/": (
        "anonymous",
        lambda w: f"/registrations/manage/{w.waiting.manage_token}/confirmation/",
    ),
    "registrations/manage/<str:token>/cancel/": (
        "anonymous",
        lambda w: f"/registrations/manage/{w.ticket.manage_token}/cancel/",
    ),
    "registrations/manage/<str:token>/transfer/": (
        "anonymous",
        lambda w: f"/registrations/manage/{w.ticket.manage_token}/transfer/",
    ),
    "my/tickets/": ("attendee", lambda w: "/my/tickets/"),
    "accounts/password_change/": ("attendee", lambda w: "/accounts/password_change/"),
    "accounts/password_change/done/": ("attendee", lambda w: "/accounts/password_change/done/"),
    # speaker
    "speaker/": ("speaker", lambda w: "/speaker/"),
    "speaker/profile/": ("speaker", lambda w: "/speaker/profile/"),
    "speaker/invitation/<str:token>/": ("anonymous", lambda w: f"/speaker/invitation/{w.invitation_token}/"),
    "speaker/link/<str:token>/": ("attendee", lambda w: f"/speaker/link/{w.account_link_token}/"),
    "my/calendars/": ("speaker", lambda w: "/my/calendars/"),
    # staff
    "checkin/": ("staff", lambda w: "/checkin/"),
    "checkin/<id:event_id>/": ("staff", lambda w: f"/checkin/{w.visit.pk}/"),
    # organiser
    "manage/dashboard/": ("organiser", lambda w: "/manage/dashboard/"),
    # a registrations export being prepared in the background (the page refreshes itself)
    "manage/dashboard/exports/<id:pk>/": ("organiser", lambda w: f"/manage/dashboard/exports/{w.export.pk}/"),
    "manage/programmes/": ("organiser", lambda w: "/manage/programmes/"),
    "manage/programmes/new/": ("organiser", lambda w: "/manage/programmes/new/"),
    "manage/programmes/<id:pk>/": ("organiser", lambda w: f"/manage/programmes/{w.programme.pk}/"),
    "manage/programmes/<id:pk>/cohorts/<id:cohort_pk>/": (
        "organiser",
        lambda w: f"/manage/programmes/{w.programme.pk}/cohorts/{w.cohort.pk}/",
    ),
    "programmes/<id:pk>/report/": ("organiser", lambda w: f"/programmes/{w.programme.pk}/report/"),
    "manage/": ("organiser", lambda w: "/manage/"),
    "manage/events/new/": ("organiser", lambda w: "/manage/events/new/"),
    "manage/events/new/<str:kind>/": ("organiser", lambda w: "/manage/events/new/outreach_visit/"),
    "manage/events/<id:pk>/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/"),
    "manage/events/<id:pk>/edit/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/edit/"),
    "manage/events/<id:pk>/duplicate/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/duplicate/"),
    "manage/events/<id:pk>/move/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/move/"),
    "manage/events/<id:pk>/cancel/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/cancel/"),
    "manage/events/<id:pk>/registrations/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/registrations/"),
    "manage/events/<id:pk>/questions/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/questions/"),
    "manage/events/<id:pk>/questions/<id:question_pk>/": (
        "organiser",
        lambda w: f"/manage/events/{w.visit.pk}/questions/{w.question.pk}/",
    ),
    "manage/events/<id:pk>/invitations/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/invitations/"),
    "manage/events/<id:pk>/speakers/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/speakers/"),
    "manage/events/<id:pk>/messages/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/messages/"),
    "manage/events/<id:pk>/messages/<str:kind>/": (
        "organiser",
        lambda w: f"/manage/events/{w.visit.pk}/messages/reminder/",
    ),
    "manage/events/<id:pk>/team/": ("organiser", lambda w: f"/manage/events/{w.visit.pk}/team/"),
    "manage/events/<id:pk>/attendance/": ("organiser", lambda w: f"/manage/events/{w.webinar.pk}/attendance/"),
    "manage/events/<id:pk>/attendance/imports/<id:import_id>/": (
        "organiser",
        lambda w: f"/manage/events/{w.webinar.pk}/attendance/imports/{w.attendance_import.pk}/",
    ),
    "manage/outbox/": ("organiser", lambda w: "/manage/outbox/"),
    "manage/series/": ("organiser", lambda w: "/manage/series/"),
    "manage/series/new/": ("organiser", lambda w: "/manage/series/new/"),
    "manage/series/<id:pk>/": ("organiser", lambda w: f"/manage/series/{w.series.pk}/"),
    "manage/series/<id:pk>/edit/": ("organiser", lambda w: f"/manage/series/{w.series.pk}/edit/"),
    "manage/series/<id:pk>/team/": ("organiser", lambda w: f"/manage/series/{w.series.pk}/team/"),
    "team/accept/<str:token>/": ("anonymous", lambda w: f"/team/accept/{w.team_token}/"),
}

LONG_QUESTION = (
    "Which of the subjects would your children most like to explore during the visit to the laboratory, "
    "and is there anything the volunteers should know beforehand?"
)
LONG_WORD = "https://example.org/a-very-long-path-without-any-spaces-that-has-to-wrap-somewhere-on-a-phone"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def site_routes(urlconf: str = "events_project.urls") -> dict[str, str | None]:
    """route → URL name of every route of the site outside IGNORED_PREFIXES."""
    return {
        route: name
        for route, name in _walk(get_resolver(urlconf).url_patterns)
        if not route.startswith(tuple(IGNORED_PREFIXES))
    }


def account(factory=factories.UserFactory, **fields):
    user = factory(**fields)
    user.set_password("correct-horse")
    user.save()
    return user


def build_world() -> SimpleNamespace:
    """One of everything a page can show, with the longest words people type."""
    now = timezone.now().replace(microsecond=0)
    organiser = account(factories.OrganiserFactory, username="organiser-aysel")
    staff = account(username="door-staff")
    attendee = account(username="attendee-leyla", email="leyla.attendee@example.org")
    speaker_user = account(username="speaker-nigar")

    visit = factories.EventFactory(
        title="Role models visit Shaki: engineers, doctors and data scientists meet pupils and parents",
        kind=EventKind.OUTREACH_VISIT,
        region=factories.region("shaki"),
        city="Shaki",
        venue_name="Shaki Youth House",
        venue_address="Mirza Fatali Akhundzade avenue 25, second floor, the hall on the left",
        latitude="41.19180",
        longitude="47.17060",
        capacity=40,
        max_party_size=6,
        organisers=[organiser],
    )
    visit.checkin_staff.add(staff)
    question = factories.QuestionFactory(event=visit, label=LONG_QUESTION, required=False)
    webinar = factories.WebinarFactory(title="Careers in data science", capacity=1, organisers=[organiser])
    series = factories.SeriesFactory(title="Mentoring circle", published=True)
    series.organisers.add(organiser)
    for week in range(4):
        start = now + dt.timedelta(days=10 + 7 * week)
        factories.EventFactory(
            title="Mentoring circle",
            kind=EventKind.MENTORING_SESSION,
            format=EventFormat.HYBRID,
            series=series,
            series_original_start=start,
            start=start,
            end=start + dt.timedelta(minutes=90),
            online_platform="Zoom",
            organisers=[organiser],
        )

    ticket = register(
        event=visit,
        name="Leyla Mammadova-Hasanova",
        email="leyla.attendee@example.org",
        user=attendee,
        consent_data_processing=True,
        party_size=2,
        party_names=["Aysu Mammadova"],
    )
    Answer.objects.create(registration=ticket, question=question, value=LONG_WORD)
    register(event=webinar, name="First In", email="first@example.org", consent_data_processing=True)
    waiting = register(event=webinar, name="Second In", email="second@example.org", consent_data_processing=True)
    assert waiting.status == RegistrationStatus.WAITLISTED

    speaker = factories.SpeakerFactory(
        name="Nigar Guliyeva-Abdullayeva",
        user=speaker_user,
        public_email="nigar.guliyeva-abdullayeva.biotechnology@azerbaijan-medical-university.example.org",
        website="https://www.azerbaijan-medical-university.example.org/people/nigar-guliyeva-abdullayeva",
        linkedin_url="https://www.linkedin.com/in/nigar-guliyeva-abdullayeva-biotechnologist-1234567890",
        topics=["Biotechnology", "Careers in medicine"],
        travel_regions=[factories.region("shaki"), factories.region("ganja")],
    )
    factories.SpeakerAssignmentFactory(speaker=speaker, event=visit, status="accepted")
    invitation = factories.SpeakerAssignmentFactory(speaker=speaker, event=webinar, status="invited")
    feed_services.create_feed(user=speaker_user, scope="speaker")

    programme = factories.ProgrammeFactory(title="STEM mentoring 2026/27", organisers=[organiser])
    programme.series.add(series)
    # a held event with figures, so that the impact report has rows to lay out
    held = factories.EventFactory(
        title="Role models visit Ganja",
        kind=EventKind.OUTREACH_VISIT,
        region=factories.region("ganja"),
        start=now - dt.timedelta(days=30),
        end=now - dt.timedelta(days=30, hours=-3),
        organisers=[organiser],
    )
    programme.events.add(held)
    for number, attendance in enumerate(["attended", "attended", "no_show"]):
        Registration.objects.create(
            event=held, name=f"Pupil {number}", email=f"pupil{number}@example.org", status="confirmed",
            attendance=attendance, party_size=3, consent_data_processing=True,
        )  # fmt: skip
    # a mentee with a long unbroken address, paired with a mentor, for the cohort's page
    speaker.roles = ["panellist", "mentor"]
    speaker.save(update_fields=["roles"])
    enrolment = factories.EnrolmentFactory(
        cohort=factories.CohortFactory(programme=programme, series=series, name="Mentees of the Mentoring circle"),
        name="Gunay Abdullayeva-Mammadzada",
        email="gunay.abdullayeva-mammadzada.biotechnology@azerbaijan-medical-university.example.org",
        mentor=speaker,
    )
    from programmes.certificates import verification_token
    from programmes.models import Certificate, EnrolmentList

    # a pasted list half-way through, with a refused line of one long unbroken word
    EnrolmentList.objects.create(
        cohort=enrolment.cohort,
        rows=[{"line": 1, "name": "Aysel Aliyeva", "email": "aysel@example.org"}],
        total=1,
        refused=[{"line": 2, "text": LONG_WORD, "code": "not_name_and_email"}],
    )

    certificate = Certificate.objects.create(
        enrolment=enrolment,
        participant_name=enrolment.name,
        programme_title=programme.title,
        attendance_rate=90,
        sessions_attended=9,
        issued_at=now,
    )
    # a message that failed, with the mail server's long answer, for the outbox page
    from notifications.models import OutboxMessage

    OutboxMessage.objects.filter(event=visit).update(
        status="failed",
        attempts=5,
        last_error="SMTPRecipientsRefused: {'leyla.attendee@example.org': (550, b'5.1.1 The email account that you "
        "tried to reach does not exist. Please try double-checking the recipient's email address for typos')}",
    )
    team_invitation = invite_to_team(event=visit, email="volunteer@example.org", role="checkin", by=organiser)
    # the series' door team: someone at every door of it, and a link waiting for an answer
    series.checkin_staff.add(staff)
    invite_to_series_door(series=series, email="door.volunteer@example.org", by=organiser)
    # a participant report waiting for the organiser's check (the attendance page's preview)
    from attendance.services.participant_reports import upload_participant_report

    zoom = (Path(__file__).parents[1] / "attendance" / "reports" / "zoom_participants.csv").read_bytes()
    # the sample's people joined on the webinar's day (a report of another day is refused)
    zoom = zoom.replace(b"11/20/2026", timezone.localtime(webinar.start, webinar.zone).strftime("%m/%d/%Y").encode())
    attendance_import, _ = upload_participant_report(event=webinar, content=zoom, filename="zoom.csv", record=False)
    from attendance.models import RegistrationExport

    export = RegistrationExport.objects.create(requested_by=organiser, event=visit, asked=f"event={visit.pk}")
    uid = urlsafe_base64_encode(force_bytes(attendee.pk))
    return SimpleNamespace(
        export=export,
        organiser=organiser,
        staff=staff,
        attendee=attendee,
        speaker_user=speaker_user,
        visit=visit,
        webinar=webinar,
        series=series,
        ticket=ticket,
        waiting=waiting,
        speaker=speaker,
        question=question,
        team_token=team_invitation.token,
        attendance_import=attendance_import,
        invitation_token=speaker_services.invitation_token(invitation),
        account_link_token=speaker_services.account_link_token(speaker),
        programme=programme,
        cohort=enrolment.cohort,
        certificate_token=verification_token(certificate),
        password_reset_url=f"/accounts/reset/{uid}/{default_token_generator.make_token(attendee)}/",
        users={"organiser": organiser, "staff": staff, "attendee": attendee, "speaker": speaker_user},
    )

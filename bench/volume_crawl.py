"""Open every page, API list and detail, export and feed of the world bench/volume_seed.py made, as the
organiser, door staff, a speaker and anonymous; print status, SQL statements, wall time and bytes per
request (">>>" past 30 statements, 500 ms or a 5xx). Run as volume_seed says, then:

    ... manage.py shell < bench/volume_crawl.py          # ONLY=outbox,ics to open only matching URLs

The first request of each URL in a process is cold (templates, translations, calendar fragments).
"""

import os
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attendance.models import AttendanceImport
from events.models import Event, Series
from feeds import services as feed_services
from notifications.models import OutboxMessage
from programmes.models import Certificate, Cohort, Enrolment, Programme
from registrations.models import CheckIn, Question, Registration
from speakers.models import Speaker, SpeakerAssignment

User = get_user_model()
organiser = User.objects.get(username="organiser")
staff = User.objects.get(username="door-staff")
vol_user, _ = User.objects.get_or_create(username="vol-speaker", defaults={"email": "vols@example.org"})
spk = Speaker.objects.get(name="Speaker vol 0")
if spk.user_id is None:
    spk.user = vol_user
    spk.save(update_fields=["user"])
org_feed = feed_services.create_feed(user=organiser, scope="organiser")
spk_feed = feed_services.create_feed(user=vol_user, scope="speaker")
door = Event.objects.get(title="Big outreach day")
big = Event.objects.get(title="Webinar 25")
past_big = big
series = Series.objects.get(title="Mentoring circle")
programme = Programme.objects.get(series=series)
cohort = Cohort.objects.filter(programme=programme).order_by("id").first()
enrolment = Enrolment.objects.filter(cohort=cohort).first()
imp = AttendanceImport.objects.filter(event=big).first() or AttendanceImport.objects.first()
reg = Registration.objects.filter(event=big).first()
msg = OutboxMessage.objects.filter(event=big).first()
assignment = SpeakerAssignment.objects.filter(speaker=spk).first()
cert = Certificate.objects.first()
question = Question.objects.first()
checkin = CheckIn.objects.filter(event=door).first()
session = series.occurrences.filter(registrations__attendance="attended").first()

E, B, D = big.pk, big.pk, door.pk
URLS = {
    "organiser": [
        "/manage/",
        "/manage/?page=2",
        "/manage/events/new/",
        f"/manage/events/{E}/",
        f"/manage/events/{E}/edit/",
        f"/manage/events/{E}/duplicate/",
        f"/manage/events/{E}/move/",
        f"/manage/events/{E}/cancel/",
        "/manage/series/",
        f"/manage/series/{series.pk}/",
        f"/manage/series/{series.pk}/edit/",
        f"/manage/events/{E}/registrations/",
        f"/manage/events/{D}/registrations/",
        f"/manage/events/{E}/questions/",
        f"/manage/events/{E}/invitations/",
        f"/manage/events/{E}/speakers/",
        "/manage/outbox/",
        f"/manage/events/{E}/messages/",
        f"/manage/events/{E}/messages/reminder/",
        f"/manage/events/{E}/attendance/",
        f"/manage/events/{E}/attendance/imports/{imp.pk}/",
        f"/manage/events/{session.pk}/attendance/",
        "/manage/dashboard/registrations.csv",
        "/manage/dashboard/attendance.csv",
        f"/manage/events/{E}/team/",
        "/manage/dashboard/",
        "/manage/programmes/",
        f"/manage/programmes/{programme.pk}/",
        f"/manage/programmes/{programme.pk}/cohorts/{cohort.pk}/",
        f"/programmes/{programme.pk}/report/",
        "/api/events/",
        f"/api/events/{E}/",
        "/api/series/",
        f"/api/series/{series.pk}/",
        "/api/regions/",
        f"/api/events/{E}/registrations/",
        f"/api/events/{E}/registrations/summary/",
        f"/api/events/{E}/registrations/{reg.pk}/",
        f"/api/events/{E}/invitations/",
        f"/api/events/{E}/questions/",
        "/api/speakers/",
        f"/api/speakers/{spk.pk}/",
        "/api/speaker-assignments/",
        f"/api/speaker-assignments/{assignment.pk}/",
        "/api/outbox/",
        f"/api/outbox/{msg.pk}/",
        "/api/message-templates/",
        "/api/attendance-imports/",
        f"/api/attendance-imports/{imp.pk}/",
        f"/api/attendance/events/{E}/",
        f"/api/attendance/events/{session.pk}/",
        f"/api/attendance/series/{series.pk}/",
        "/api/mentees/",
        "/api/programmes/",
        f"/api/programmes/{programme.pk}/",
        f"/api/programmes/{programme.pk}/certificates/",
        f"/api/programmes/{programme.pk}/report/",
        f"/api/programmes/{programme.pk}/report/csv/",
        "/api/cohorts/",
        f"/api/cohorts/{cohort.pk}/",
        "/api/enrolments/",
        f"/api/enrolments/{enrolment.pk}/",
        f"/api/enrolments/{enrolment.pk}/journey/",
        "/api/certificates/",
        f"/api/events/{E}/ics/",
        "/api/me/calendar-feeds/",
        "/api/me/data/",
        "/api/me/registrations/",
        f"/calendar/private/{org_feed.token}.ics",
        f"/api/events/{D}/checkin/counts/",
        f"/api/events/{D}/checkin/list/",
        f"/api/events/{D}/checkin/log/",
        f"/api/events/{D}/checkin/search/?q=person",
        f"/checkin/{D}/",
        "/checkin/",
    ],
    "staff": [
        "/checkin/",
        f"/checkin/{D}/",
        f"/api/events/{D}/checkin/counts/",
        f"/api/events/{D}/checkin/list/",
        f"/api/events/{D}/checkin/log/",
        f"/api/events/{D}/checkin/search/?q=person",
        f"/api/events/{D}/checkin/search/?q=p",
        "/api/events/",
    ],
    "speaker": [
        "/speaker/",
        "/speaker/profile/",
        "/my/calendars/",
        "/api/me/speaker/",
        "/api/me/speaker/schedule/",
        f"/api/me/speaker/schedule/{assignment.pk}/",
        "/api/me/speaker/unavailability/",
        f"/calendar/private/{spk_feed.token}.ics",
        "/api/events/",
    ],
    "anonymous": [
        "/",
        "/?page=2",
        f"/events/{E}/",
        f"/events/{D}/register/",
        "/speakers/",
        f"/speakers/{spk.pk}/",
        "/calendar/events.ics",
        f"/calendar/series/{series.pk}.ics",
        "/api/events/",
        "/api/speakers/",
        "/api/series/",
        f"/api/events/{E}/ics/",
        "/api/regions/",
        f"/registrations/manage/{reg.manage_token}/",
        f"/api/registrations/manage/{reg.manage_token}/",
    ],
}
only = os.environ.get("ONLY", "").split(",") if os.environ.get("ONLY") else None
users = {"organiser": organiser, "staff": staff, "speaker": vol_user, "anonymous": None}
for role, urls in URLS.items():
    client = Client(raise_request_exception=False)
    if users[role]:
        client.force_login(users[role])
    client.get("/")  # warm
    for url in urls:
        if only and not any(o in url for o in only):
            continue
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            size = sum(len(c) for c in response.streaming_content) if response.streaming else len(response.content)
        ms = (time.perf_counter() - start) * 1000
        flag = " >>>" if len(q) > 30 or ms > 500 or response.status_code >= 500 else ""
        print(f"{role:9} {response.status_code} q={len(q):5} {ms:8.0f}ms {size:9}B {url}{flag}", flush=True)

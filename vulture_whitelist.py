"""Definitions that only a setting, a URL string, a schedule, a template or a framework reaches.

vulture (tests/codebase/test_dead_code.py) reads this file as code that uses them. Add a name here
only with where it is used; a name with no user is removed instead.
"""

# ruff: noqa: B018
from attendance import tasks as attendance_tasks
from attendance.apps import AttendanceConfig
from attendance.services.participant_reports import MatchedPerson, UnmatchedRow
from events.apps import EventsConfig
from events.models import Event
from events.selectors import ActionLogExcerpt
from events_project import (
    access_log,
    api_root,
    auth,
    exceptions,
    log_redaction,
    middleware,
    negotiation,
    schema,
    site_pages,
    staticfiles,
)
from events_project.fields import BoundedManyMixin
from events_project.filters import FilterBackend
from events_project.search_folding_sql import Folded
from feeds import selectors as feed_selectors
from feeds.apps import FeedsConfig
from notifications import middleware as notification_middleware
from notifications import tasks as notification_tasks
from notifications.account_pages import QueuedPasswordResetForm
from notifications.apps import NotificationsConfig
from notifications.models import OutboxMessage
from programmes import selectors as programme_selectors
from programmes import tasks as programme_tasks
from programmes.apps import ProgrammesConfig
from programmes.manage_forms import ProgrammeForm
from registrations import selectors as registration_selectors
from registrations.apis.registration import EventRegistrationViewSet
from registrations.apps import RegistrationsConfig
from registrations.checkin.permissions import DoorTokenScheme
from speakers import selectors as speaker_selectors
from speakers import tasks as speaker_tasks
from speakers.apis import SpeakerViewSet
from speakers.apps import SpeakersConfig
from speakers.models import Speaker, SpeakerAssignment
from teams import selectors as team_selectors
from teams.apis import SeriesDoorStaffViewSet
from teams.apps import TeamsConfig
from teams.models import TeamInvitation

# INSTALLED_APPS (settings.py)
(
    AttendanceConfig,
    EventsConfig,
    FeedsConfig,
    NotificationsConfig,
    ProgrammesConfig,
    RegistrationsConfig,
    SpeakersConfig,
    TeamsConfig,
)
# settings.py: MIDDLEWARE, LOGGING filters, STORAGES, REST_FRAMEWORK, SPECTACULAR_SETTINGS, CSRF_FAILURE_VIEW
middleware.DatabaseUnavailableMiddleware, middleware.RejectControlCharactersMiddleware
middleware.MethodNotAllowedPageMiddleware
middleware.PrivateLinkMiddleware
middleware.ContentSecurityPolicyMiddleware
notification_middleware.RememberLanguageMiddleware
log_redaction.RedactPersonalData
log_redaction.ClientErrorsWithoutTraceback
staticfiles.StaticFilesStorage
exceptions.api_exception_handler, FilterBackend, negotiation.ContentNegotiation
schema.document_common_errors, schema.BlankableEmail, schema.BlankableChoice, schema.NullableRelation
site_pages.csrf_failure
# urls.py: handler404
api_root.not_found
# drf-spectacular finds authentication extensions by subclassing
DoorTokenScheme
# DRF's ScopedRateThrottle reads the view's throttle_scope
EventRegistrationViewSet.throttle_scope
# DRF's router answers DELETE with the viewset's destroy (teams/urls.py)
SeriesDoorStaffViewSet.destroy
# schedules by dotted path (notifications/management/commands/setup_schedules.py)
attendance_tasks.finalise_attendance, speaker_tasks.remind_unanswered_invitations
# jobs by dotted path (attendance.services.participant_reports enqueues the import and a big file's preview)
attendance_tasks.import_participant_report, attendance_tasks.prepare_report_preview
# jobs by dotted path (programmes.enrolment_lists enqueues a pasted list's next batch)
programme_tasks.enrol_from_list
# jobs by dotted path (programmes.receivers: the cohorts of a series' sessions published together)
programme_tasks.register_cohorts_for_events
# jobs by dotted path (notifications.services.outbox.DRAIN_TASK: the drain a rush's confirmations ask for)
notification_tasks.send_pending
# the old dotted paths of attendance's jobs and of the reminders' scan (now registrations.tasks),
# for jobs and schedules queued before the move (notifications/tasks.py)
notification_tasks.finalise_attendance, notification_tasks.import_participant_report
notification_tasks.queue_due_reminders
# templates and serializers read these properties
Speaker.photo_version  # speakers/pages/_avatar.html, profile_form.html
Speaker.photo_src, SpeakerAssignment.answer_unread, TeamInvitation.state_label, OutboxMessage.can_be_resent
ActionLogExcerpt.is_partial  # manage/_action_log.html
UnmatchedRow.status_label  # attendance/manage/import.html
MatchedPerson.kept_label  # attendance/manage/import.html
Event.place_known  # events/pages/event_detail.html, registrations/pages/_event_summary.html
# the read half of the house pair of selectors (STYLE.md, "Who may see what")
team_selectors.team_invitations_visible_to
feed_selectors.calendar_feeds_visible_to, programme_selectors.cohorts_visible_to
registration_selectors.registrations_visible_to, registration_selectors.invitations_visible_to
registration_selectors.checkins_visible_to, speaker_selectors.assignments_visible_to
# the admin reaches each model's *_managed_by selector by dotted path (events_project/admin_site.py)
programme_selectors.enrolments_managed_by, programme_selectors.certificates_managed_by
speaker_selectors.speakers_managed_by
# settings.AXES_LOCKOUT_CALLABLE
auth.lockout_response, auth.client_address
# gunicorn.conf.py's logger_class (a dotted path)
access_log.AccessLogger
# Django's PasswordResetForm.save calls it
QueuedPasswordResetForm.send_mail
# DRF's RelatedField.__new__ calls it for many=True
BoundedManyMixin.many_init
# drf-spectacular's SpectacularAPIView.get calls it
schema.SchemaView._get_schema_response
# a template reads it (programmes/manage/_programme_fields.html)
ProgrammeForm.organises_no_series
# DRF's OrderingFilter reads it (speakers' public roster orders by name only)
SpeakerViewSet.ordering_fields
# Django compiles an expression with as_<vendor> on that database
Folded.as_sqlite

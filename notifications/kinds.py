"""Every kind of message the programme sends. Templates live in templates/notifications/<kind>/."""

REGISTRATION_CONFIRMED = "registration_confirmed"
REGISTRATION_PENDING = "registration_pending"
REGISTRATION_APPROVED = "registration_approved"
REGISTRATION_REJECTED = "registration_rejected"
WAITING_LIST_JOINED = "waiting_list_joined"
SEAT_OFFERED = "seat_offered"
WAITING_LIST_PROMOTED = "waiting_list_promoted"
REGISTRATION_CANCELLED = "registration_cancelled"
REGISTRATION_INVITATION = "registration_invitation"
EVENT_CHANGED = "event_changed"
EVENT_CANCELLED = "event_cancelled"
SPEAKER_INVITATION = "speaker_invitation"
SPEAKER_INVITATION_REMINDER = "speaker_invitation_reminder"
SPEAKER_UNANSWERED_ALERT = "speaker_unanswered_alert"
REMINDER = "reminder"
FOLLOW_UP_ATTENDED = "follow_up_attended"
FOLLOW_UP_NO_SHOW = "follow_up_no_show"
# one short correction after a later participant report changed someone's attendance
ATTENDANCE_CORRECTED = "attendance_corrected"
MISSED_SESSIONS_ALERT = "missed_sessions_alert"
# "email me my tickets": the private links of a person's active registrations
TICKET_LINKS = "ticket_links"
TEAM_INVITATION = "team_invitation"
# an organiser's own words to chosen registrants (the workspace's registrations list)
ORGANISER_MESSAGE = "organiser_message"
# organisers hear that a speaker answered an invitation
SPEAKER_ANSWERED = "speaker_answered"
CERTIFICATE_ISSUED = "certificate_issued"
# "email me my certificate": a signed link to a certificate of attendance, sent to the address
CERTIFICATE_LINK = "certificate_link"
# a link that links the account a speaker signs in with to their profile (their consent)
SPEAKER_ACCOUNT_LINK = "speaker_account_link"
# one message when a participant leaves a cohort, however many sessions that cancels
COHORT_LEFT = "cohort_left"
# one message when someone is enrolled in a cohort, however many sessions that books
COHORT_ENROLLED = "cohort_enrolled"
# "forgot your password?": a one-use link to choose a new one (notifications.account_pages)
PASSWORD_RESET = "password_reset"
# an organiser's background export (the dashboard's Files you asked for) is ready
EXPORT_READY = "export_ready"

ALL_KINDS = (
    REGISTRATION_CONFIRMED,
    REGISTRATION_PENDING,
    REGISTRATION_APPROVED,
    REGISTRATION_REJECTED,
    WAITING_LIST_JOINED,
    SEAT_OFFERED,
    WAITING_LIST_PROMOTED,
    REGISTRATION_CANCELLED,
    REGISTRATION_INVITATION,
    EVENT_CHANGED,
    EVENT_CANCELLED,
    SPEAKER_INVITATION,
    SPEAKER_INVITATION_REMINDER,
    SPEAKER_UNANSWERED_ALERT,
    REMINDER,
    FOLLOW_UP_ATTENDED,
    FOLLOW_UP_NO_SHOW,
    ATTENDANCE_CORRECTED,
    MISSED_SESSIONS_ALERT,
    TICKET_LINKS,
    TEAM_INVITATION,
    ORGANISER_MESSAGE,
    SPEAKER_ANSWERED,
    CERTIFICATE_ISSUED,
    CERTIFICATE_LINK,
    SPEAKER_ACCOUNT_LINK,
    COHORT_LEFT,
    COHORT_ENROLLED,
    PASSWORD_RESET,
    EXPORT_READY,
)

CHOICES = [(kind, kind.replace("_", " ").capitalize()) for kind in ALL_KINDS]

# The message's text depends on the event's current version: a second change is a new message.
VERSIONED_BY_EVENT_SEQUENCE = frozenset({EVENT_CHANGED, EVENT_CANCELLED})

# A message that tells a registration's state goes out only while the registration is in it:
# rendered at send time, a "you are on the waiting list" for a registration cancelled since
# (a late task, an organiser's resend) would tell something no longer true.
REGISTRATION_STATUS_OF_KIND = {
    REGISTRATION_CONFIRMED: "confirmed",
    REGISTRATION_APPROVED: "confirmed",
    WAITING_LIST_PROMOTED: "confirmed",
    REGISTRATION_PENDING: "pending",
    WAITING_LIST_JOINED: "waitlisted",
    SEAT_OFFERED: "offered",
    REGISTRATION_REJECTED: "rejected",
    REGISTRATION_CANCELLED: "cancelled",
}

# A message for those who hold a place goes out only while the registration still holds one: a
# reminder, change notice or follow-up queued before the registration was cancelled (a fan-out's
# backlog, a retry after the mail server was down) is not sent to someone who left.
REGISTRATION_STATUSES_OF_KIND = {
    REMINDER: frozenset({"confirmed"}),
    EVENT_CHANGED: frozenset({"confirmed", "offered"}),
    FOLLOW_UP_ATTENDED: frozenset({"confirmed"}),
    FOLLOW_UP_NO_SHOW: frozenset({"confirmed"}),
    ATTENDANCE_CORRECTED: frozenset({"confirmed"}),
    **{kind: frozenset({status}) for kind, status in REGISTRATION_STATUS_OF_KIND.items()},
}

# What is sent after the event: at most one of these per registration.
FOLLOW_UPS = (FOLLOW_UP_ATTENDED, FOLLOW_UP_NO_SHOW)

# Messages about taking part in an event still to come (a place, a ticket, a join link, a
# reminder): never written once the event is over.
ABOUT_A_COMING_EVENT = frozenset(
    {
        REGISTRATION_CONFIRMED,
        REGISTRATION_PENDING,
        REGISTRATION_APPROVED,
        WAITING_LIST_JOINED,
        SEAT_OFFERED,
        WAITING_LIST_PROMOTED,
        REGISTRATION_INVITATION,
        REMINDER,
        EVENT_CHANGED,
    }
)

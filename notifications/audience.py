"""Who a message goes to, and what that recipient may see: the one place that decides it.

The rule is the API's and the feeds': the join link of an online event (and a calendar
invitation that says the person takes part) only for someone who holds a place, that is a
confirmed registrant or a speaker who accepted. An invited speaker has not said yes: her
calendar must not record an acceptance she never gave, and she gets no join details.
Decided when the message is rendered (at send time), from the current state of the row.
"""

from dataclasses import dataclass

from notifications import kinds

# recipient roles
ATTENDEE = "attendee"  # a confirmed registration: holds a seat
REGISTRANT = "registrant"  # any other registration (pending, waiting, offered, cancelled, rejected)
ACCEPTED_SPEAKER = "accepted_speaker"
INVITED_SPEAKER = "invited_speaker"  # invited, declined or withdrawn: not (or no longer) taking part
ORGANISER = "organiser"
MENTOR = "mentor"  # a cohort's mentor or programme staff (missed-sessions alert)
INVITEE = "invitee"  # someone invited to register with a code
TEAM_INVITEE = "team_invitee"
PERSON = "person"  # an address that asked for something (ticket links)
PARTICIPANT = "participant"  # a programme participant (their certificate)

ROLES = (ATTENDEE, REGISTRANT, ACCEPTED_SPEAKER, INVITED_SPEAKER, ORGANISER, MENTOR, INVITEE, TEAM_INVITEE, PERSON)
ROLES += (PARTICIPANT,)
HOLDS_A_PLACE = frozenset({ATTENDEE, ACCEPTED_SPEAKER})


@dataclass(frozen=True)
class Audience:
    role: str

    @property
    def holds_a_place(self) -> bool:
        return self.role in HOLDS_A_PLACE

    def may_join(self, event) -> bool:
        """May this recipient have the event's join link (and its password)?"""
        return bool(event is not None and self.holds_a_place and event.is_online and event.join_url)

    def join_url(self, event) -> str:
        return event.join_url if self.may_join(event) else ""

    @property
    def partstat(self) -> str:
        # what a calendar invitation says about the recipient's own answer
        return "ACCEPTED" if self.holds_a_place else "NEEDS-ACTION"


def audience_of(*, kind: str, about, recipient_email: str = "") -> Audience:
    """The recipient's role, from the object the message is about (its current state)."""
    label = about._meta.label_lower if about is not None else ""
    if label == "registrations.registration":
        return Audience(ATTENDEE if about.status == "confirmed" else REGISTRANT)
    if label == "speakers.speakerassignment":
        if kind == kinds.SPEAKER_UNANSWERED_ALERT or kind == kinds.SPEAKER_ANSWERED:
            return Audience(ORGANISER)
        return Audience(ACCEPTED_SPEAKER if about.status == "accepted" else INVITED_SPEAKER)
    if kind == kinds.MISSED_SESSIONS_ALERT:
        return Audience(MENTOR)
    if label == "programmes.enrolment":
        return Audience(PARTICIPANT)
    if label == "registrations.invitation":
        return Audience(INVITEE)
    if label == "programmes.certificate":
        return Audience(PARTICIPANT)
    if label == "teams.teaminvitation":
        return Audience(TEAM_INVITEE)
    return Audience(PERSON)


# the messages an organiser may reword go to registrants: these to someone who holds a place
TO_A_PLACE_HOLDER = frozenset(
    {
        kinds.REGISTRATION_CONFIRMED,
        kinds.REGISTRATION_APPROVED,
        kinds.WAITING_LIST_PROMOTED,
        kinds.REMINDER,
        kinds.EVENT_CHANGED,
        kinds.FOLLOW_UP_ATTENDED,
        kinds.FOLLOW_UP_NO_SHOW,
    }
)


def usual_audience(kind: str) -> Audience:
    """Who a message of ``kind`` about an event usually goes to, for a preview that has no real
    recipient (without one it read "someone asked for the tickets of this address")."""
    if kind == kinds.REGISTRATION_INVITATION:
        return Audience(INVITEE)
    return Audience(ATTENDEE if kind in TO_A_PLACE_HOLDER else REGISTRANT)

"""Forms of the organiser workspace for an event's own wording of its messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events_project.fields import NumberField
from notifications import kinds
from notifications.models import OutboxStatus
from notifications.services.templates import WORDING_BODY_MAX

# The messages an organiser may word for their event, in their words.
EVENT_MESSAGE_KINDS = {
    kinds.REGISTRATION_CONFIRMED: _("Registration confirmed (with the ticket)"),
    kinds.REGISTRATION_PENDING: _("Registration received, awaiting approval"),
    kinds.REGISTRATION_APPROVED: _("Registration approved"),
    kinds.REGISTRATION_REJECTED: _("Registration not accepted"),
    kinds.WAITING_LIST_JOINED: _("On the waiting list"),
    kinds.SEAT_OFFERED: _("A seat is offered"),
    kinds.WAITING_LIST_PROMOTED: _("Moved from the waiting list"),
    kinds.REGISTRATION_CANCELLED: _("Registration cancelled"),
    kinds.REGISTRATION_INVITATION: _("Invitation with a code"),
    kinds.REMINDER: _("Reminder before the event"),
    kinds.EVENT_CHANGED: _("The event changed"),
    kinds.EVENT_CANCELLED: _("The event is cancelled"),
    kinds.FOLLOW_UP_ATTENDED: _("Thanks after the event (to those who came)"),
    kinds.FOLLOW_UP_NO_SHOW: _("After the event (to those who did not come)"),
}


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), required=False, max_length=300, help_text=_("Empty keeps the default subject.")
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=WORDING_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Empty keeps the default text. Placeholders such as {{ name }} are filled in for each person."),
    )


class OutboxFilterForm(forms.Form):
    """The outbox's filters, from the query string; a value out of its choices is ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *OutboxStatus.choices])
    q = forms.CharField(label=_("Recipient or subject"), required=False, max_length=200)
    event = NumberField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

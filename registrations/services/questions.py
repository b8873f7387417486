"""The questions an event asks at registration."""

from django.db import transaction

from events.models import Event
from registrations.exceptions import RegistrationError
from registrations.models import Question

EDITABLE = ("label", "help_text", "kind", "choices", "required", "position")


def _check(question: Question) -> Question:
    if not (question.label or "").strip():
        raise RegistrationError("A question needs a label.", "label_required")
    if question.kind == Question.Kind.CHOICE:
        choices = question.choices
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
            raise RegistrationError("A choice question needs a list of options.", "choices_required")
    elif question.choices:
        raise RegistrationError("Only choice questions have options.", "choices_not_allowed")
    return question


@transaction.atomic
def create_question(*, event: Event, by=None, **fields) -> Question:
    fields = {key: value for key, value in fields.items() if key in EDITABLE}
    question = _check(Question(event=event, **fields))
    question.save()
    return question


@transaction.atomic
def update_question(*, question: Question, by=None, **changes) -> Question:
    for key, value in changes.items():
        if key in EDITABLE:
            setattr(question, key, value)
    _check(question).save()
    return question


@transaction.atomic
def delete_question(*, question: Question, by=None) -> None:
    """Delete a question and the answers given to it."""
    question.delete()

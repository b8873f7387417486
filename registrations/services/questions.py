"""The questions an event asks at registration."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.services import log_action
from events_project.typed_text import tidy_text
from registrations.exceptions import RegistrationError
from registrations.models import Question

EDITABLE = ("label", "help_text", "kind", "choices", "required", "position")
# a choice question's options are radio buttons on the registration page: a few, short ones
# (10,000 options of any length made a half-megabyte page)
MAX_CHOICES, MAX_CHOICE_LENGTH = 50, 200
# a registration form, not a survey: the page that asks them stays small and quick to fill
MAX_QUESTIONS = 30
# the field each of check_question's refusals is about (a form shows the error under it)
CODE_FIELDS = {
    "label_required": "label",
    "choices_required": "choices",
    "too_many_choices": "choices",
    "duplicate_choices": "choices",
    "choices_not_allowed": "choices",
}


def check_question(question: Question) -> Question:
    """A question's own rules (a label; a choice question's options tidied, at most
    ``MAX_CHOICES``, all different), asked by create, edit and the admin's form;
    ``CODE_FIELDS`` says which field each refusal is about."""
    if not (question.label or "").strip():
        raise RegistrationError(_("A question needs a label."), "label_required")
    if question.kind == Question.Kind.CHOICE:
        choices = question.choices
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and tidy_text(c) for c in choices)
        ):
            raise RegistrationError(_("A choice question needs a list of options."), "choices_required")
        # answers are tidied before they are compared (tidy_text): an option kept with its spaces
        # or invisible characters could never be chosen
        choices = question.choices = [tidy_text(choice) for choice in choices]
        if len(choices) > MAX_CHOICES or any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
            raise RegistrationError(
                _("A choice question has at most %(count)s options of at most %(length)s characters each.")
                % {"count": MAX_CHOICES, "length": MAX_CHOICE_LENGTH},
                "too_many_choices",
            )
        if len({choice.casefold() for choice in choices}) < len(choices):
            raise RegistrationError(_("The options of a choice question must all differ."), "duplicate_choices")
    elif question.choices:
        raise RegistrationError(_("Only choice questions have options."), "choices_not_allowed")
    return question


def _next_position(event: Event) -> int:
    """Where a new question goes when no position is given: after the event's last question
    (0 for the first one, as ``move_question`` numbers them)."""
    last = Question.objects.filter(event=event).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def create_question(*, event: Event, by=None, position: int | None = None, **fields) -> Question:
    """Add a question to ``event``; without a ``position`` it comes after the last one (the one
    rule for the workspace page and the API)."""
    fields = {key: value for key, value in fields.items() if key in EDITABLE}
    # the event's row locked: two questions added at once (two tabs, a client's retries) counted
    # the same questions, so an event got past MAX_QUESTIONS, and took the same next position
    Event.objects.select_for_update().filter(pk=event.pk).values_list("pk").first()
    if Question.objects.filter(event=event).count() >= MAX_QUESTIONS:
        raise RegistrationError(
            _("An event asks at most %(count)s questions.") % {"count": MAX_QUESTIONS}, "too_many_questions"
        )
    fields["position"] = _next_position(event) if position is None else position
    question = check_question(Question(event=event, **fields))
    question.save()
    log_action(by=by, action="question.created", event=event, subject=question)
    return question


@transaction.atomic
def update_question(*, question: Question, by=None, **changes) -> Question:
    for key, value in changes.items():
        if key in EDITABLE:
            setattr(question, key, value)
    check_question(question).save()
    log_action(by=by, action="question.changed", event=question.event, subject=question)
    return question


@transaction.atomic
def delete_question(*, question: Question, by=None) -> None:
    """Delete a question and the answers given to it."""
    log_action(by=by, action="question.deleted", event=question.event, subject=question)
    question.delete()


@transaction.atomic
def copy_questions(*, source: Event, target: Event, by=None) -> list[Question]:
    """Give ``target`` the questions ``source`` asks (a duplicated event asks the same)."""
    return [
        create_question(event=target, by=by, **{name: getattr(question, name) for name in EDITABLE})
        for question in source.questions.all()
    ]


@transaction.atomic
def move_question(*, question: Question, by=None, step: int) -> Question:
    """Move a question one place up (``step=-1``) or down (``step=1``) in its event's order."""
    questions = list(Question.objects.select_for_update().filter(event_id=question.event_id).order_by("position", "id"))
    index = next(i for i, item in enumerate(questions) if item.pk == question.pk)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(questions):
        return question
    questions[index], questions[other] = questions[other], questions[index]
    for position, item in enumerate(questions):
        if item.position != position:
            Question.objects.filter(pk=item.pk).update(position=position)
    question.refresh_from_db()
    log_action(by=by, action="question.moved", event=question.event, subject=question)
    return question

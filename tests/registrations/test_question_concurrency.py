"""Questions added to one event at the same moment (two tabs, a client's retries), with real
simultaneous connections on PostgreSQL: the limit of MAX_QUESTIONS holds and no two questions
take one position."""

import pytest
from django.db import transaction

from registrations.models import Question
from registrations.services.questions import MAX_QUESTIONS, create_question
from tests import factories
from tests.races import Racer
from tests.registrations.test_concurrency import rush

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _answer(result):
    """A refusal's code (Racer gives the code itself), or what was made."""
    if isinstance(result, str):
        return result
    return getattr(result, "code", None) or type(result).__name__


def test_the_last_question_added_twice_at_once_is_added_once():
    event = factories.EventFactory()
    for number in range(MAX_QUESTIONS - 1):
        factories.QuestionFactory(event=event, label=f"Question {number}", position=number)

    with transaction.atomic():
        create_question(event=event, label="The last one")
        second = Racer(lambda: create_question(event=event, label="One too many"))

    assert (second.waited, _answer(second.outcome())) == (True, "too_many_questions")
    assert Question.objects.filter(event=event).count() == MAX_QUESTIONS


def test_questions_added_at_once_stop_at_the_limit_each_in_a_place_of_its_own():
    event = factories.EventFactory()

    answers = rush(lambda number: create_question(event=event, label=f"Question {number}"), count=MAX_QUESTIONS + 6)

    positions = list(Question.objects.filter(event=event).values_list("position", flat=True))
    assert sorted(_answer(answer) for answer in answers).count("too_many_questions") == 6
    assert (len(positions), len(set(positions))) == (MAX_QUESTIONS, MAX_QUESTIONS)

"""A participant's skip sent twice at the same moment (a double click, the API retried), with
real simultaneous connections on PostgreSQL."""

import pytest
from django.db import transaction

from programmes import services
from programmes.models import SessionSkip
from registrations.models import Registration
from tests.programmes.conftest import session
from tests.races import Racer
from tests.registrations.test_concurrency import rush

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_skip_twice_at_once_is_one_skip(cohort, mentoring_series, future):
    """Skipping twice returns the first skip, at the same moment too: the second waited for
    nothing, found no skip, and its insert broke the unique constraint (a 409 'conflict' or a 500)."""
    skipped = session(mentoring_series, future[0])
    enrolment = services.enrol(cohort=cohort, name="Leyla", email="leyla@example.org")

    results = rush(lambda i: services.skip_session(enrolment=enrolment, event=skipped).pk, count=4)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert SessionSkip.objects.filter(enrolment=enrolment).count() == 1
    assert Registration.objects.get(event=skipped, email="leyla@example.org").status == "cancelled"


def test_one_cohort_name_created_twice_at_once_is_one_cohort_and_a_named_refusal(programme):
    """The second waited on the unique index and broke it: the API's generic 409 'conflict' (a
    500 on the workspace page) instead of the refusal a repeated request gets."""
    results = rush(lambda i: services.create_cohort(programme=programme, name="Spring mentees").pk, count=4)

    created = [r for r in results if isinstance(r, int)]
    refused = [getattr(r, "code", repr(r)) for r in results if not isinstance(r, int)]
    assert (len(created), refused) == (1, ["cohort_name_taken"] * 3)


def test_a_cohort_set_to_follow_a_series_as_it_leaves_the_programme_is_refused(organiser, programme, mentoring_series):
    """One organiser takes a series out of the programme while another creates a cohort that
    follows it: each checked the other's state from before and both went through, leaving a cohort
    that follows a series its programme no longer has. The cohort waits for the edit, then is
    refused as one made after it is."""
    from programmes.models import Cohort

    def create():
        services.create_cohort(programme=programme, name="Circle followers", series=mentoring_series)
        return "created"

    with transaction.atomic():
        services.update_programme(programme=programme, series=[], by=organiser)
        racer = Racer(create)

    assert racer.waited, f"the cohort did not wait for the edit: {racer.outcome()}"
    assert racer.outcome() == "series_not_in_programme"
    assert list(programme.series.all()) == []
    assert not Cohort.objects.filter(series=mentoring_series).exists()


def test_one_person_enrolled_several_times_at_once_is_one_enrolment_returned_to_each(cohort):
    """A double click, or a pasted list's job beside the form: every call returns the one
    enrolment. When a rival committed between the service's own check and the model's, Django's
    constraint check answered a ValidationError ('already exists') instead."""
    from programmes.models import Enrolment

    results = []
    for _round in range(3):
        email = f"rasim{_round}@example.org"
        results.append(
            rush(lambda i, email=email: services.enrol(cohort=cohort, name="Rasim", email=email).pk, count=4)
        )

    assert [[r for r in round_ if not isinstance(r, int)] for round_ in results] == [[], [], []]
    assert [len(set(round_)) for round_ in results] == [1, 1, 1]
    assert Enrolment.objects.filter(cohort=cohort).count() == 3

"""A participant's skip sent twice at the same moment (a double click, the API retried), with
real simultaneous connections on PostgreSQL."""

import pytest

from programmes import services
from programmes.models import SessionSkip
from registrations.models import Registration
from tests.programmes.conftest import session
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

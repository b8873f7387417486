"""A list ordered by a field many rows share (?ordering=waiting_since: null for every registration
not waiting) is paged by OFFSET: without a unique last key, PostgreSQL returns the tied rows in whatever order
each query's plan gives (a top-N sort keeps a different set for LIMIT 100 than for LIMIT 200), so
paging through skipped some registrations and listed others twice. Every asked-for ordering ends
with the primary key (events_project.filters.OrderingFilter)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.models import Registration
from tests import factories

pytestmark = pytest.mark.django_db


def _paged_ids(client, path: str, ordering: str) -> list[int]:
    seen, page = [], 1
    while True:
        answer = client.get(path, {"ordering": ordering, "page_size": 50, "page": page})
        assert answer.status_code == 200, answer.data
        seen += [row["id"] for row in answer.data["results"]]
        if not answer.data["next"]:
            return seen
        page += 1


@pytest.mark.postgres
@pytest.mark.parametrize("ordering", ["status", "waiting_since", "-waiting_since"])
def test_paging_a_list_ordered_by_a_shared_value_lists_every_row_once(organiser_client, organiser, ordering):
    event = factories.EventFactory(organisers=[organiser], capacity=None)
    Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                name=f"Attendee {n}",
                email=f"a{n}@example.org",
                status="cancelled" if n % 3 else "confirmed",
            )
            for n in range(600)
        ]
    )

    seen = _paged_ids(organiser_client, f"/api/events/{event.pk}/registrations/", ordering)

    assert sorted(seen) == sorted(Registration.objects.filter(event=event).values_list("pk", flat=True))


def test_an_asked_for_ordering_ends_with_the_primary_key(organiser_client, organiser):
    """What the database is asked (SQLite returns ties in one order whatever the page; the rule is
    the query's)."""
    event = factories.EventFactory(organisers=[organiser])
    factories.RegistrationFactory(event=event)
    with CaptureQueriesContext(connection) as queries:
        organiser_client.get(f"/api/events/{event.pk}/registrations/", {"ordering": "-status"})
    listed = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "registrations_registration"' in q["sql"] and "ORDER BY" in q["sql"]
    ]
    assert listed and all(
        sql.rstrip().split("ORDER BY")[-1].split("LIMIT")[0].strip().endswith('"registrations_registration"."id" ASC')
        for sql in listed
    ), listed

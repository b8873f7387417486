"""Outbox migrations that carry data: old rows keep what they recorded."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("notifications", "0009_outbox_calendar_method")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_invitation_recorded_by_its_method_is_kept_as_sent():
    old = migrate(BEFORE).get_model("notifications", "OutboxMessage")
    for method in ("REQUEST", "CANCEL", ""):
        old.objects.create(
            kind="event_changed",
            recipient_email="leyla@example.org",
            dedup_key=f"sent-{method}",
            calendar_method=method,
        )

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    new = migrate(latest).get_model("notifications", "OutboxMessage")

    assert dict(new.objects.values_list("dedup_key", "calendar_invitation_sent")) == {
        "sent-REQUEST": True,
        "sent-CANCEL": False,
        "sent-": False,
    }

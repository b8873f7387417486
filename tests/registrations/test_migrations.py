"""Registration migrations that carry data: old rows come out as the rules of today would write them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories

BEFORE = [("registrations", "0004_registration_language")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_choice_options_saved_before_the_rule_are_trimmed_and_repeats_dropped_in_order():
    old = migrate(BEFORE).get_model("registrations", "Question")
    event = factories.EventFactory()
    saved = {
        "padded": [" Academia ", "NGO\u200b", "\u200eGovernment"],
        "repeated": ["Academia", "NGO", " Academia", "NGO", "Other"],
        "blank": ["Yes", "  ", "\u200b", "No"],
        "cased": ["Yes", "yes"],
        "only blank": ["  "],
        "tidy": ["9", "10", "11"],
    }
    for label, choices in saved.items():
        old.objects.create(event_id=event.pk, label=label, kind="choice", choices=choices)
    old.objects.create(event_id=event.pk, label="text", kind="text", choices=[" a ", " a "])

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    new = migrate(latest).get_model("registrations", "Question")

    assert dict(new.objects.values_list("label", "choices")) == {
        "padded": ["Academia", "NGO", "Government"],
        "repeated": ["Academia", "NGO", "Other"],
        "blank": ["Yes", "No"],
        "cased": ["Yes", "yes"],  # exact repeats only: which of the two is meant is the organiser's call
        "only blank": ["  "],
        "tidy": ["9", "10", "11"],
        "text": [" a ", " a "],  # not a choice question: its options are never shown
    }

"""Choice options saved before options were tidied on create and edit (registrations.services.
questions.check_question): an option with blanks or invisible characters around it could never be chosen
(answers are tidied before they are compared), and the same option twice showed two radio buttons.
Options are tidied as answers are, blank ones and exact repeats dropped, in their order."""

import re
import unicodedata

from django.db import migrations

# a frozen copy of events_project.typed_text.tidy_text as it is today: a migration keeps its meaning
_JOINERS = "\u200c\u200d"
_AROUND = re.compile(rf"^[\s{_JOINERS}]+|[\s{_JOINERS}]+$")


def tidy_text(value: str) -> str:
    text = "".join(c for c in value if unicodedata.category(c) != "Cf" or c in _JOINERS)
    text = _AROUND.sub("", text)
    return text if any(unicodedata.category(c)[0] not in "CZ" for c in text) else ""


def tidy_options(options: list) -> list:
    """``options`` tidied, without blank ones and exact repeats (the first one kept, in order);
    anything but text is left as it is. Unchanged when no option would be left."""
    tidied = []
    for option in options:
        option = tidy_text(option) if isinstance(option, str) else option
        if option != "" and option not in tidied:
            tidied.append(option)
    return tidied or options


def tidy_choice_options(apps, schema_editor):
    Question = apps.get_model("registrations", "Question")
    changed = []
    for question in Question.objects.filter(kind="choice").only("id", "choices").iterator():
        if not isinstance(question.choices, list):
            continue
        tidied = tidy_options(question.choices)
        if tidied != question.choices:
            question.choices = tidied
            changed.append(question)
    Question.objects.bulk_update(changed, ["choices"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_registration_language"),
    ]

    operations = [migrations.RunPython(tidy_choice_options, migrations.RunPython.noop)]

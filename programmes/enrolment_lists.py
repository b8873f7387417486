"""Enrolling a pasted list of people: read at once, enrolled in the background.

Three hundred mentees in a cohort of eighteen sessions is 5,400 registrations: far too long for a
request. :func:`queue_enrolment_list` reads the "Name, email" lines, refuses line by line those it
cannot read, stores the others in an :class:`~programmes.models.EnrolmentList` and queues
``programmes.tasks.enrol_from_list`` after the commit. Each run enrols up to ``BATCH`` people (each
through :func:`programmes.services.enrol`, in its own transaction) and queues the next run, so one
run stays well inside the queue's timeout. One bad line never stops the others: a refusal is
written down with its line and the list goes on.
"""

import datetime as dt
import logging
import re
from functools import partial

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_project.exceptions import DomainError
from events_project.limits import validate_email
from events_project.people import tidy_name
from events_project.periodic import process_each
from events_project.typed_text import tidy_email
from notifications.jobs import enqueue
from programmes import services
from programmes.exceptions import ProgrammeError
from programmes.models import Cohort, Enrolment, EnrolmentList

logger = logging.getLogger(__name__)

# people enrolled per run of the job: each registers them for up to ~20 sessions
BATCH = 20
MAX_LINES = 1000
NAME_MAX = 200
# "Name <email>", as a mail program writes an address (a trailing comma or semicolon of a copied list allowed)
# what may stand between a name and "<address>", and after it
_SEPARATORS = re.compile(r"[\s,;]*")


def addressed_line(line: str) -> tuple[str, str] | None:
    """("Aysel Aliyeva", "aysel@example.org") of a line "Aysel Aliyeva, <aysel@example.org>" (one
    "<address>" last, blanks, commas and semicolons around it), else None. Read by splitting at
    the brackets: a regular expression whose name part and separators could take the same commas
    backtracked over them, so a pasted line of 10,000 commas held the request 3 seconds (the
    form's 200,000 characters, twenty minutes)."""
    head, opening, rest = line.partition("<")
    email, closing, tail = rest.partition(">")
    if not (opening and closing and email) or "<" in email or not _SEPARATORS.fullmatch(tail):
        return None
    end = len(head)
    while end and (head[end - 1].isspace() or head[end - 1] in ",;"):
        end -= 1
    return head[:end], email


# why a line was not enrolled, by code (the page says it in the reader's language)
REFUSALS = {
    "not_name_and_email": _("Write it as: Name, email."),
    "bad_email": _("This is not an email address."),
    "name_too_long": _("The name is longer than 200 characters."),
    "repeated": _("The same email is on an earlier line."),
    # refused by the enrolment service in the job (every code services.enrol raises)
    "name_required": _("Give the participant's name."),
}
# what the reader calls the fields a pasted line fills
FIELD_NAMES = {"name": _("Name"), "email": _("Email")}


def refusal_reason(refusal: dict) -> str:
    """What to tell the organiser about one refused line, in the language of whoever reads it.

    The job runs in the worker's language, so it writes down codes and parameters, never words
    (``_refusal_of``): a code of its own or of the enrolment service reads from ``REFUSALS``; a
    model field's refusal (``invalid``) reads with the field's own message (Django's, which has
    Azerbaijani too), filled with the parameters it was raised with."""
    code = refusal.get("code", "")
    known = REFUSALS.get(code)
    if known is not None:
        return str(known)
    if "errors" in refusal:
        return " ".join(_field_refusal(error) for error in refusal["errors"])
    if refusal.get("message"):
        # written in the worker's words before refusals kept codes only (gone after KEPT_FOR)
        return refusal["message"]
    return _("The enrolment was refused (%(code)s).") % {"code": code}


def _refusal_of(error: ValidationError) -> dict:
    """A model's refusal as the job writes it down: each error's field, code and parameters."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    return {
        "code": "invalid",
        "errors": [
            {"field": field, "code": one.code or "invalid", "params": _plain(one.params)}
            for field, errors in by_field.items()
            for one in errors
        ],
    }


def _plain(params) -> dict:
    """Parameters as JSON holds them: numbers stay numbers (a plural reads them), the rest text,
    as long as a refused line's text at most (the value typed is one of them)."""
    if not isinstance(params, dict):
        return {}
    return {
        key: value if value is None or isinstance(value, bool | int | float) else str(value)[:300]
        for key, value in params.items()
    }


def _field_message(field_name: str, code: str):
    """The message a field of Enrolment refuses with under ``code``, as Django picks it (the field's
    own messages first, then its validators'); lazy, so it is said in the active language."""
    try:
        field = Enrolment._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    if code in field.error_messages:
        return field.error_messages[code]
    return next((v.message for v in field.validators if getattr(v, "code", None) == code), None)


def _field_refusal(error: dict) -> str:
    field_name, code, params = error.get("field", ""), error.get("code", ""), error.get("params") or {}
    message = _field_message(field_name, code)
    if message is None:
        return _("The enrolment was refused (%(code)s).") % {"code": code}
    try:
        said = str(message % params) if params else str(message)
    except (KeyError, TypeError, ValueError):
        said = str(message)
    label = FIELD_NAMES.get(field_name)
    return _("%(field)s: %(message)s") % {"field": label, "message": said} if label is not None else said


def read_lines(text: str) -> tuple[list[dict], list[dict]]:
    """The people on ``text``'s lines, and the lines refused with their reason. The email is the
    last field after a comma, semicolon or tab (a name may hold a comma), or in angle brackets after
    the name, as a mail program copies an address ("Aysel Aliyeva <aysel@example.org>"); blank lines
    are skipped."""
    rows, refused, seen = [], [], set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        addressed = addressed_line(line)
        if addressed:
            name, separator, email = addressed[0].strip().strip('"“”'), ",", addressed[1]
        else:
            name, separator, email = line.replace("\t", ",").replace(";", ",").rpartition(",")
        # a name of only invisible characters is no name (services.enrol would refuse it later)
        name, email = tidy_name(name.strip().strip(",")), tidy_email(email.strip().strip("<>"))
        code = None
        if not separator or not name or not email:
            code = "not_name_and_email"
        elif len(name) > NAME_MAX:
            code = "name_too_long"
        else:
            try:
                validate_email(email)
            except ValidationError:
                code = "bad_email"
            else:
                if email in seen:
                    code = "repeated"
        if code is not None:
            refused.append({"line": number, "text": line[:300], "code": code})
            continue
        seen.add(email)
        rows.append({"line": number, "name": name, "email": email})
    return rows, refused


@transaction.atomic
def queue_enrolment_list(*, cohort: Cohort, text: str, created_by=None) -> EnrolmentList:
    """Store the list and queue its enrolment (after the commit); the lines it cannot read are
    refused at once, in ``refused``.

    Side effects: the job ``programmes.tasks.enrol_from_list``, then those of ``services.enrol``
    for each person (registrations for the cohort's sessions still to come).
    """
    rows, refused = read_lines(text)
    if not rows and not refused:
        raise ProgrammeError(_("Paste at least one line: Name, email."), "list_empty")
    if len(rows) + len(refused) > MAX_LINES:
        raise ProgrammeError(
            _("At most %(count)s lines at a time: split the list.") % {"count": MAX_LINES}, "list_too_long"
        )
    listed = EnrolmentList.objects.create(
        cohort=cohort,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        rows=rows,
        total=len(rows),
        refused=refused,
        finished_at=None if rows else timezone.now(),
    )
    if rows:
        transaction.on_commit(partial(enqueue, "programmes.tasks.enrol_from_list", listed.pk))
    return listed


def _enrol_row(listed: EnrolmentList, row: dict) -> tuple[str, dict | None]:
    """Enrol one line's person: ``("enrolled" | "already" | "refused", refusal)``."""
    cohort = listed.cohort
    if Enrolment.objects.filter(cohort=cohort, email=row["email"], status=Enrolment.Status.ACTIVE).exists():
        return "already", None
    try:
        with transaction.atomic():
            services.enrol(cohort=cohort, name=row["name"], email=row["email"], by=listed.created_by)
    except DomainError as error:
        # the code, not the message: the message is in the worker's language (refusal_reason)
        return "refused", {"code": error.code}
    except ValidationError as error:
        return "refused", _refusal_of(error)
    return "enrolled", None


def enrol_next(*, enrolment_list: EnrolmentList, batch: int = BATCH) -> EnrolmentList:
    """Enrol the next ``batch`` people of the list; queue the next run while some are left.

    Each person is enrolled in a transaction of their own, never the batch in one: a batch of
    twenty mentees in eighteen sessions each would hold those sessions' seats (and, on SQLite,
    the whole database) for seconds. Safe to run twice: a run records its batch only if no other
    run recorded it meanwhile, and enrolling someone already active changes nothing (counted as
    "already"); a run that died between enrolling and recording is done again by the next one.
    """
    with transaction.atomic():
        listed = (
            EnrolmentList.objects.select_for_update(of=("self",))
            .select_related("cohort", "created_by")
            .get(pk=enrolment_list.pk)
        )
        if listed.finished_at is not None:
            return listed
        start = listed.handled
        chunk = listed.rows[start : start + batch]
    outcomes = [(row, *_enrol_row(listed, row)) for row in chunk]
    with transaction.atomic():
        recorded = EnrolmentList.objects.select_for_update().get(pk=listed.pk)
        if recorded.finished_at is not None or recorded.handled != start:
            return recorded  # another run recorded this batch
        for row, outcome, refusal in outcomes:
            if outcome == "enrolled":
                recorded.enrolled += 1
            elif outcome == "already":
                recorded.already += 1
            else:
                logger.info("Enrolment list %s: line %s refused (%s)", recorded.pk, row["line"], refusal["code"])
                recorded.refused = [*recorded.refused, {"line": row["line"], "text": row["name"], **refusal}]
        recorded.handled = start + len(chunk)
        if recorded.handled >= len(recorded.rows):
            recorded.finished_at = timezone.now()
            # the enrolments now hold the people: the list keeps only counts and refusals
            recorded.rows = []
        else:
            transaction.on_commit(partial(enqueue, "programmes.tasks.enrol_from_list", recorded.pk))
        recorded.save()
    return recorded


# a list no run has moved on for this long lost its job (a worker killed mid-run): moved on again
STALLED_AFTER = dt.timedelta(minutes=5)
# stalled lists moved on by one run of the periodic job (a batch each, then their own jobs again)
RESUMED_PER_RUN = 10
# a finished list's refused lines hold what was typed (names, addresses): kept this long, then gone
KEPT_FOR = dt.timedelta(days=30)


def tidy_enrolment_lists(*, now: dt.datetime | None = None) -> dict:
    """The periodic care of pasted lists: move on each unfinished list whose job was lost (one
    batch here, which queues the rest), and delete the lists finished more than ``KEPT_FOR`` ago
    (their people are enrolled; what is left is counts and the refused lines as typed). One
    list's failure never stops the others."""
    now = now or timezone.now()
    stalled = EnrolmentList.objects.filter(finished_at__isnull=True, touched_at__lt=now - STALLED_AFTER).order_by(
        "touched_at", "pk"
    )
    resumed = process_each(
        list(stalled[:RESUMED_PER_RUN]),
        lambda listed: enrol_next(enrolment_list=listed),
        job="enrolment lists: resume",
    )
    deleted, _by_model = EnrolmentList.objects.filter(finished_at__lt=now - KEPT_FOR).delete()
    return {"resumed": len(resumed), "deleted": deleted}

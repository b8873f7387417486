"""The registrations export written in the background: a year of an organiser's events is tens of
thousands of rows (65,000 took 9 s), and no request may hold a worker or the database that long.

- ``request_registrations_export`` stores a ``RegistrationExport`` and queues
  ``attendance.tasks.build_registrations_export`` after the commit; asked again while the first
  is being prepared (or a minute after it was, unless its *Prepare it again* was pressed), it
  returns that one and queues nothing; ``recent_exports`` leads back to them from the dashboard.
- ``build_registrations_export`` (the job) writes the same CSV as the request would
  (``attendance.csv_files``) to private storage and tells its requester it is ready
  (``export_ready``, once, through the outbox), unless the export's page is still open
  (``watch_export``: it shows the file itself) or ``EXPORT_READY_MAIL`` is off.
- ``downloadable_export`` is the one rule of who may read the file: its requester, while every
  event in it is still theirs to change (``events_managed_by``); anyone else is told nothing.
- ``tidy_registration_exports`` (periodic) deletes files older than ``EXPORT_KEPT_FOR``, fails
  exports whose job was lost, and removes files no export points to.
"""

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from attendance import dashboard
from attendance.csv_files import csv_lines
from attendance.models import ExportStatus, RegistrationExport, private_storage
from events.models import Event, Region
from events.selectors import events_managed_by
from events_project.people import account_name
from events_project.periodic import process_each
from notifications import kinds
from notifications.jobs import enqueue
from notifications.services import queue_message

logger = logging.getLogger(__name__)

# a second click within this time gets the file just written instead of a new job
REUSED_FOR = dt.timedelta(minutes=1)
# a job runs at most django-q2's 60 s (65,000 rows take about 10): one still preparing after
# this was lost with its worker, and a new click may queue another
STALLED_AFTER = dt.timedelta(minutes=10)
# the files hold names and email addresses: kept a day, long enough to come back for them
EXPORT_KEPT_FOR = dt.timedelta(hours=24)
EXPORT_DIRECTORY = "registration-exports"
# the export's page asks again every 3 s while the file is prepared (data-updates-itself, twice
# that after an error): one that asked within this time is still open and shows the file itself
WATCHED_WITHIN = dt.timedelta(seconds=10)


def asked_key(*, event_id: int | None, kind: str, region_id: int | None) -> str:
    """What was asked as one short key (also the query string of the dashboard's link)."""
    parts = [("event", event_id), ("kind", kind), ("region", region_id)]
    return "&".join(f"{name}={value}" for name, value in parts if value)


def request_registrations_export(
    *,
    user,
    event_id: int | None = None,
    kind: str = "",
    region: Region | None = None,
    newer_than: int | None = None,
    now: dt.datetime | None = None,
) -> RegistrationExport:
    """The export of ``user``'s registrations as the dashboard filters them, being prepared or
    ready; ``event_id``, when given, is an event ``user`` manages (the caller checks: a missing one
    raises ``Event.DoesNotExist``, never an export of every event). Queues
    ``attendance.tasks.build_registrations_export`` after the commit, unless the same export is
    already being prepared or was asked for within ``REUSED_FOR`` (repeated clicks, two tabs):
    that one is returned and nothing is queued. ``newer_than``: the export whose *Prepare it
    again* was pressed; a file no newer than it is not handed back as the new one (the click
    asked for the registrations since)."""
    now = now or timezone.now()
    key = asked_key(event_id=event_id, kind=kind, region_id=region.pk if region else None)
    mine = RegistrationExport.objects.filter(requested_by=user, asked=key)
    # a job lost with its worker must not block the export for ever
    mine.filter(status=ExportStatus.PREPARING, created_at__lt=now - STALLED_AFTER).update(
        status=ExportStatus.FAILED, finished_at=now
    )
    ready_again = Q(status=ExportStatus.READY, created_at__gte=now - REUSED_FOR)
    if newer_than is not None:
        ready_again &= Q(pk__gt=newer_than)
    recent = mine.filter(Q(status=ExportStatus.PREPARING) | ready_again).first()
    if recent is not None:
        return recent
    try:
        with transaction.atomic():
            export = RegistrationExport.objects.create(
                requested_by=user,
                event=Event.objects.get(pk=event_id) if event_id else None,
                kind=kind,
                region=region,
                asked=key,
            )
            transaction.on_commit(lambda: enqueue("attendance.tasks.build_registrations_export", export.pk))
    except IntegrityError:
        # the same click at the same moment (one preparing export per requester and key)
        return mine.get(status=ExportStatus.PREPARING)
    return export


def latest_export(user, *, event_id: int | None = None, kind: str = "", region: Region | None = None):
    """The newest export ``user`` asked for of the same registrations (None if none is kept):
    the page that offers to prepare the file links to it, so a file asked for is found again."""
    key = asked_key(event_id=event_id, kind=kind, region_id=region.pk if region else None)
    return RegistrationExport.objects.filter(requested_by=user, asked=key).first()


def build_registrations_export(*, export: RegistrationExport) -> RegistrationExport:
    """Write the export's file (the job's work). Safe to run twice: an export that is no longer
    being prepared is left as it is; a file written for an export failed meanwhile is deleted."""
    if export.status != ExportStatus.PREPARING:
        return export
    user = export.requested_by
    events = Event.objects.all()
    if export.kind:
        events = events.filter(kind=export.kind)
    if export.region_id:
        events = events.filter(region_id=export.region_id)
    event_ids = list(
        dashboard.exported_events(user, event_id=export.event_id, events=events).values_list("pk", flat=True)
    )
    header, rows = dashboard.registration_export(user, event_id=export.event_id, events=events)
    counted = _Counted(rows)
    storage = private_storage()
    with tempfile.TemporaryFile(mode="w+b") as out:
        for line in csv_lines(header, counted):
            out.write(line.encode("utf-8"))
        out.seek(0)
        name = storage.save(f"{EXPORT_DIRECTORY}/registrations-{export.pk}.csv", File(out))
    finished = timezone.now()
    with transaction.atomic():
        done = RegistrationExport.objects.filter(pk=export.pk, status=ExportStatus.PREPARING).update(
            status=ExportStatus.READY, file_name=name, rows=counted.count, event_ids=event_ids, finished_at=finished
        )
        export.refresh_from_db()
        if done:
            # with the change of state: only the run that made the file ready tells, once
            _tell_ready(export)
    if not done:
        storage.delete(name)
    return export


def _tell_ready(export: RegistrationExport) -> None:
    """The requester hears that the file is ready (``export_ready``, in the language their address
    reads, with a link to the dashboard's Files you asked for, behind the sign-in; the download
    stays the requester's only), unless the export's page still asked while the file was being
    prepared (``WATCHED_WITHIN``: they are on it and see it there) or ``EXPORT_READY_MAIL`` is off.
    Side effect: one outbox message (its key: one per export), sent after commit."""
    user = export.requested_by
    if not settings.EXPORT_READY_MAIL or not user.email:
        return
    if export.watched_at is not None and export.watched_at >= export.finished_at - WATCHED_WITHIN:
        return
    queue_message(
        kind=kinds.EXPORT_READY,
        recipient_email=user.email,
        recipient_name=account_name(user),
        about=export,
        dedup_key=f"{kinds.EXPORT_READY}:{export.pk}",
        context={
            "rows": export.rows,
            "event_title": export.event.title if export.event_id else "",
            "dashboard_url": f"{settings.SITE_URL}{reverse('dashboard')}#recent-exports",
        },
    )


def watch_export(*, export: RegistrationExport, now: dt.datetime | None = None) -> None:
    """The export's page was looked at while its file is being prepared: its requester waits on
    it (the page asks again every few seconds), so the file's readiness needs no email."""
    RegistrationExport.objects.filter(pk=export.pk, status=ExportStatus.PREPARING).update(
        watched_at=now or timezone.now()
    )


class _Counted:
    """The rows, counted as the file is written."""

    def __init__(self, rows):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def fail_registrations_export(*, export: RegistrationExport) -> None:
    """The job gave up on the export (an error while writing): said on its page."""
    RegistrationExport.objects.filter(pk=export.pk, status=ExportStatus.PREPARING).update(
        status=ExportStatus.FAILED, finished_at=timezone.now()
    )


# the dashboard lists so many of one's newest exports
RECENT_EXPORTS_SHOWN = 5


def recent_exports(user) -> list[RegistrationExport]:
    """``user``'s newest exports still kept (being prepared, ready or failed), for the dashboard to
    lead back to: an export of an event they no longer organise is left out, as its file is."""
    kept = RegistrationExport.objects.filter(requested_by=user).select_related("event", "region")
    kept = kept.filter(Q(event__isnull=True) | Q(event__in=events_managed_by(user).values("pk")))
    return list(kept[:RECENT_EXPORTS_SHOWN])


def export_of(user, export_id: int) -> RegistrationExport | None:
    """The export's page: its requester's only, while every event in it is still one they may
    change (None otherwise, a 404): taken off an event's team, they no longer see even how many
    registrations it had."""
    export = RegistrationExport.objects.filter(pk=export_id, requested_by=user).first()
    return export if export is not None and _events_still_managed(user, export) else None


def _events_still_managed(user, export: RegistrationExport) -> bool:
    """Whether ``user`` may still change every event ``export`` holds (the wall of the CSV
    written in a request)."""
    ids = set(export.event_ids)
    return not ids or events_managed_by(user).filter(pk__in=ids).count() == len(ids)


def open_export_file(export: RegistrationExport):
    """The export's file, opened for reading (the caller closes it)."""
    return private_storage().open(export.file_name, "rb")


def downloadable_export(user, export_id: int) -> RegistrationExport | None:
    """The export whose file ``user`` may download, or None: theirs, ready, and every event in
    it still one they may change (the same wall as the CSV in a request)."""
    export = RegistrationExport.objects.filter(pk=export_id, requested_by=user, status=ExportStatus.READY).first()
    if export is None or not export.file_name or not _events_still_managed(user, export):
        return None
    return export


def tidy_registration_exports(*, now: dt.datetime | None = None) -> dict:
    """The periodic care of exports: fail those whose job was lost, delete those older than
    ``EXPORT_KEPT_FOR`` with their files, and delete files no export points to (an export deleted
    with its event or requester). One export's failure never stops the others."""
    now = now or timezone.now()
    failed = RegistrationExport.objects.filter(
        status=ExportStatus.PREPARING, created_at__lt=now - STALLED_AFTER
    ).update(status=ExportStatus.FAILED, finished_at=now)
    expired = list(RegistrationExport.objects.filter(created_at__lt=now - EXPORT_KEPT_FOR).order_by("pk"))
    deleted = process_each(expired, _delete_export, job="registrations exports: delete expired")
    storage = private_storage()
    kept = set(RegistrationExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    strays = 0
    if storage.exists(EXPORT_DIRECTORY):
        for filename in storage.listdir(EXPORT_DIRECTORY)[1]:
            name = f"{EXPORT_DIRECTORY}/{filename}"
            # a file being written now has no export pointing to it yet
            if name not in kept and storage.get_modified_time(name) < now - STALLED_AFTER:
                storage.delete(name)
                strays += 1
    return {"failed": failed, "deleted": len(deleted), "strays": strays}


def _delete_export(export: RegistrationExport) -> int:
    pk = export.pk
    if export.file_name:
        private_storage().delete(export.file_name)
    export.delete()
    return pk

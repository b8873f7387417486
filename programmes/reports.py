"""The programme's impact report: what funders ask for, counted one way for API, CSV and page.

Definitions:
- events held: the programme's events that have ended and were not cancelled (drafts never count);
- events cancelled: those called off after they were published (a draft called off never counts);
- attended / no-show: registrations of held events with finalised attendance; the attendance
  rate is attended / (attended + no-show), the no-show rate its complement;
- people met: attended registrations counted with their party (a parent with two pupils is 3);
- participants reached: distinct email addresses among attended registrations;
- speakers involved: distinct speakers with an accepted assignment at an event held;
- waiting-list demand: registrations of held events that ever joined a waiting list, and
  those still waiting when the event took place (unserved);
- sector and age group: only as participants gave them at enrolment (sector falls back to the
  one given at registration); the rest are counted as "not_given".
"""

import csv
import io
from collections import Counter, defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.csv_files import safe_cell
from attendance.rates import attendance_rate, no_show_rate
from events.models import Audience, EventKind, EventStatus, Region
from events.selectors import PUBLIC
from programmes import selectors
from programmes.models import AgeGroup, Certificate, Enrolment, ParticipantSector, Programme
from registrations.models import Registration, Sector
from speakers.selectors import accepted_assignments_for_events

NOT_GIVEN = "not_given"


def _rates(attended: int, no_show: int) -> dict:
    return {"attendance_rate": attendance_rate(attended, no_show), "no_show_rate": no_show_rate(attended, no_show)}


class _Tally:
    __slots__ = ("events", "attended", "no_show", "people_met", "registrations", "waiting_list_joined")

    def __init__(self):
        self.events = self.attended = self.no_show = self.people_met = self.registrations = 0
        self.waiting_list_joined = 0

    def as_dict(self) -> dict:
        return {
            "events": self.events,
            "registrations": self.registrations,
            "attended": self.attended,
            "no_show": self.no_show,
            "people_met": self.people_met,
            "waiting_list_joined": self.waiting_list_joined,
            **_rates(self.attended, self.no_show),
        }


def _speakers_of(event_ids: list[int]) -> set[int]:
    assignments = accepted_assignments_for_events(event_ids)
    return {assignment.speaker_id for items in assignments.values() for assignment in items}


def impact_report(*, programme: Programme, now=None) -> dict:
    """Every figure of the report, from a fixed handful of queries."""

    now = now or timezone.now()
    events = list(
        selectors.held_events(selectors.programme_events(programme), now=now)
        .select_related("region")
        .order_by("start", "id")
    )
    event_ids = [event.pk for event in events]
    # called off after it was published (events.selectors.PUBLIC): a draft called off was an
    # organiser's unpublished plan, nothing cancelled on anyone, and no co-organiser's business
    cancelled = selectors.programme_events(programme).filter(PUBLIC, status=EventStatus.CANCELLED).count()
    registrations = list(
        Registration.objects.filter(event_id__in=event_ids).values(
            "event_id", "email", "status", "attendance", "party_size", "waiting_since", "sector"
        )
    )
    enrolments = list(
        Enrolment.objects.filter(cohort__programme=programme).values("email", "status", "sector", "age_group")
    )
    enrolled_by_email = {row["email"]: row for row in enrolments}
    certificates = Certificate.objects.filter(enrolment__cohort__programme=programme, revoked_at__isnull=True).count()

    by_event = {event.pk: event for event in events}
    totals = _Tally()
    kinds, regions, audiences, months = (defaultdict(_Tally) for _ in range(4))
    for event in events:
        month = timezone.localtime(event.start, event.zone).strftime("%Y-%m")
        region = event.region.slug if event.region_id else NOT_GIVEN
        for tally in (totals, kinds[event.kind], regions[region], audiences[event.audience], months[month]):
            tally.events += 1

    reached = set()
    sector_of, age_of = {}, {}
    unserved = 0
    for row in registrations:
        event = by_event[row["event_id"]]
        month = timezone.localtime(event.start, event.zone).strftime("%Y-%m")
        region = event.region.slug if event.region_id else NOT_GIVEN
        tallies = (totals, kinds[event.kind], regions[region], audiences[event.audience], months[month])
        counted = row["status"] not in ("cancelled", "rejected") or row["attendance"] != "unknown"
        for tally in tallies:
            tally.registrations += counted
            if row["waiting_since"] is not None:
                tally.waiting_list_joined += 1
            if row["attendance"] == "attended":
                tally.attended += 1
                tally.people_met += row["party_size"]
            elif row["attendance"] == "no_show":
                tally.no_show += 1
        if row["status"] == "waitlisted":
            unserved += 1
        if row["attendance"] == "attended" and row["email"]:
            reached.add(row["email"])
            enrolled = enrolled_by_email.get(row["email"], {})
            sector_of[row["email"]] = enrolled.get("sector") or row["sector"] or NOT_GIVEN
            age_of[row["email"]] = enrolled.get("age_group") or NOT_GIVEN

    speakers = _speakers_of(event_ids)
    # labels in the language of the request (region names too: Şəki in Azerbaijani)
    region_names = {region.slug: region.display_name for region in Region.objects.filter(slug__in=list(regions))}
    kind_labels, audience_labels = dict(EventKind.choices), dict(Audience.choices)
    sector_labels = {**dict(ParticipantSector.choices), NOT_GIVEN: _("Not given")}
    _add_registration_sectors(sector_labels)
    age_labels = {**dict(AgeGroup.choices), NOT_GIVEN: _("Not given")}

    def rows(tallies: dict, labels: dict, key: str) -> list[dict]:
        return [
            {key: name, "label": str(labels.get(name, name)), **tallies[name].as_dict()}
            for name in sorted(tallies, key=lambda name: (-tallies[name].events, name))
        ]

    def participants(counter: Counter, labels: dict, key: str) -> list[dict]:
        return [
            {key: name, "label": str(labels.get(name, name)), "participants": count}
            for name, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]

    return {
        "programme": {
            "id": programme.pk,
            "title": programme.title,
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
        },
        # in the site's zone with its offset, as the API gives every time no event's zone applies to
        # (DRF renders them in TIME_ZONE, Asia/Baku): a programme has no zone of its own
        "generated_at": timezone.localtime(now).isoformat(),
        "totals": {
            **totals.as_dict(),
            "events_held": totals.events,
            "events_cancelled": cancelled,
            "speakers_involved": len(speakers),
            "participants_reached": len(reached),
            "regions_visited": len([name for name in regions if name != NOT_GIVEN]),
            "waiting_list_unserved": unserved,
            "enrolled_participants": len(enrolled_by_email),
            "active_participants": sum(1 for row in enrolments if row["status"] == Enrolment.Status.ACTIVE),
            "certificates_issued": certificates,
        },
        "by_kind": rows(kinds, kind_labels, "kind"),
        "by_region": rows(regions, {**region_names, NOT_GIVEN: _("No region (online)")}, "region"),
        "by_audience": rows(audiences, audience_labels, "audience"),
        "by_month": [{"month": month, **months[month].as_dict()} for month in sorted(months)],
        "by_sector": participants(Counter(sector_of.values()), sector_labels, "sector"),
        "by_age_group": participants(Counter(age_of.values()), age_labels, "age_group"),
    }


def _add_registration_sectors(labels: dict) -> None:

    for value, label in Sector.choices:
        labels.setdefault(value, label)


CSV_COLUMNS = [
    "section",
    "group",
    "label",
    "events",
    "registrations",
    "attended",
    "no_show",
    "people_met",
    "waiting_list_joined",
    "attendance_rate",
    "no_show_rate",
    "participants",
    "value",
]


class _SafeWriter(csv.DictWriter):
    """Text typed by people (a programme's title) never runs as a spreadsheet formula, as in the
    dashboard's CSV exports (CSV injection)."""

    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})


def report_csv(report: dict) -> str:
    """One table: a row per total, kind, region, audience, month, sector and age group."""
    out = io.StringIO()
    writer = _SafeWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    totals = report["totals"]
    writer.writerow({"section": "totals", "group": "all", "label": report["programme"]["title"], **totals})
    for name in (
        "events_held",
        "events_cancelled",
        "speakers_involved",
        "participants_reached",
        "regions_visited",
        "waiting_list_unserved",
        "enrolled_participants",
        "active_participants",
        "certificates_issued",
    ):
        writer.writerow({"section": "totals", "group": name, "label": name.replace("_", " "), "value": totals[name]})
    for section, key in (("kind", "kind"), ("region", "region"), ("audience", "audience")):
        for row in report[f"by_{section}"]:
            writer.writerow({"section": section, "group": row[key], **row})
    for row in report["by_month"]:
        writer.writerow({"section": "month", "group": row["month"], "label": row["month"], **row})
    for section, key in (("sector", "sector"), ("age_group", "age_group")):
        for row in report[f"by_{section}"]:
            writer.writerow({"section": section, "group": row[key], **row})
    return out.getvalue()

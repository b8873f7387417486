"""Forms of the organiser workspace for events and series.

The forms speak the organiser's words (times in the event's own timezone, reminders as "1 day
before", a series as "2nd and 4th Thursday until 31 May") and turn them into the keyword
arguments of :mod:`events.services`, which keep every rule. Internal fields (UID, sequence,
"detached from series", "attendance finalised at") are never on a form.
"""

import datetime as dt
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events import time_zones
from events import when as when_rule
from events.models import (
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    MAX_OFFER_HOLD_HOURS,
    MAX_PARTY_SIZE,
    MIN_DURATION_MINUTES,
    Audience,
    EventFormat,
    EventKind,
    Language,
    RegistrationMode,
    Sector,
)
from events.regions import RegionChoiceField
from events.time_zones import zone_name
from events_project import limits
from events_project.exceptions import DomainError
from events_project.fields import NumberField

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# the local times an event form reads in the event's timezone
LOCAL_TIMES = ("start", "end", "rsvp_deadline", "registration_opens_at", "registration_closes_at")
TIMEZONES = ["Asia/Baku", "Asia/Tbilisi", "Europe/Istanbul", "Europe/Berlin", "Europe/London", "UTC"]

# Common reminder offsets in minutes before the start, as organisers say them.
REMINDER_CHOICES = [
    (7 * 24 * 60, _("1 week before")),
    (3 * 24 * 60, _("3 days before")),
    (24 * 60, _("1 day before")),
    (3 * 60, _("3 hours before")),
    (60, _("1 hour before")),
    (15, _("15 minutes before")),
]


def minutes_label(minutes: int) -> str:
    return _("%(minutes)s minutes before") % {"minutes": minutes}


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time without a zone (the form applies the event's timezone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    # the years the site keeps, said at the field as the API says it (year 1 or 9999 reached
    # the time-zone arithmetic and overflowed)
    default_validators = [limits.validate_plausible_date]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            return dt.datetime.fromisoformat(str(value).strip()).replace(tzinfo=None, second=0, microsecond=0)
        except ValueError:
            raise ValidationError(_("Give a date and time, for example 2026-05-14 18:30."), code="invalid") from None


def local_value(moment, zone) -> str:
    return timezone.localtime(moment, zone).strftime(LOCAL_FORMAT) if moment else ""


def timezone_choices(current: str = "") -> list[tuple[str, str]]:
    names = list(dict.fromkeys([settings.TIME_ZONE, *TIMEZONES, *([current] if current else [])]))
    return [(name, zone_name(name)) for name in names]


def _in_zone(value, zone):
    return value.replace(tzinfo=zone) if value is not None else None


def check_wall_clock(form, data: dict, names, zone_key) -> None:
    """Each local time the form read must exist in the zone it is read in (not the hour the
    clocks skip): the same rule as the API's (events_project.limits.validate_wall_clock)."""
    zone = limits.zone_or_none(zone_key)
    if zone is None:
        return
    for name in names:
        value = data.get(name)
        if value is not None and not limits.wall_clock_exists(value, zone):
            # in the words of the form: its zone as the list of zones says it ("Berlin", not
            # "Europe/Berlin") and the date as the pages write it
            said = {"time": when_rule.day_time(value), "zone": time_zones.city_of(zone_key)}
            form.add_error(name, ValidationError(limits.NONEXISTENT_TIME, params=said, code="nonexistent_time"))


class ServiceErrors:
    """Shows a model validation error raised by a service next to the field it names."""

    FIELD_NAMES: dict[str, str] = {}
    # a service's DomainError about one field (by its code) is shown next to that field
    FIELD_OF_CODE: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                target = self.FIELD_NAMES.get(name, name)
                for message in errors:
                    self.add_error(target if target in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)

    def save_through(self, save):
        """``save(self.service_fields())``: a service's refusals become this form's errors (a model
        rule next to its field, a ``DomainError`` next to the field its code names in
        ``FIELD_OF_CODE``, else above the form), never a 500; None then."""
        try:
            return save(self.service_fields())
        except ValidationError as error:
            self.add_service_errors(error)
        except DomainError as error:
            self.add_domain_error(error)
        return None

    def add_domain_error(self, error: DomainError) -> None:
        target = self.FIELD_OF_CODE.get(error.code)
        self.add_error(target if target in self.fields else None, error.message)


# who a new event of each kind is for, until the organiser says otherwise (the programme's own
# pairs, as in the demo): a roundtable by invitation read "For: General public" on its page
AUDIENCE_OF_KIND = {
    EventKind.ROUNDTABLE: Audience.STAKEHOLDERS,
    EventKind.OUTREACH_VISIT: Audience.PARENTS,
    EventKind.MENTORING_SESSION: Audience.MENTEES,
    EventKind.WORKSHOP: Audience.MENTEES,
    EventKind.TRAINING: Audience.MENTEES,
    EventKind.COACHING: Audience.MENTEES,
}


class EventForm(ServiceErrors, forms.Form):
    """Create or edit an event of one kind; the fields follow the kind."""

    FIELD_NAMES = {"reminder_offsets": "reminders"}

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=limits.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    start = LocalDateTimeField(label=_("Starts"))
    end = LocalDateTimeField(label=_("Ends"))
    timezone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Every time on this form is in this time zone, the registration dates too.")
    )
    # the model's default: "Online" (the first choice) made an in-person workshop online unnoticed
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices, initial=EventFormat.IN_PERSON)
    online_platform = forms.CharField(
        label=_("Online platform"), required=False, max_length=100, help_text=_("For example Zoom or Teams.")
    )
    join_url = forms.URLField(
        assume_scheme="https",
        label=_("Link to join"),
        required=False,
        max_length=200,
        help_text=_("Sent only to people with a seat, and to the speakers."),
    )
    region = RegionChoiceField(label=_("Region"), required=False)
    venue_name = forms.CharField(label=_("Venue"), required=False, max_length=200)
    venue_address = forms.CharField(label=_("Address"), required=False, max_length=300)
    city = forms.CharField(label=_("City or village"), required=False, max_length=100)
    families_welcome = forms.BooleanField(
        label=_("Families may come together (a parent with their children)"), required=False
    )
    max_party_size = NumberField(
        label=_("People per registration, the registrant included"),
        min_value=1,
        max_value=MAX_PARTY_SIZE,
        required=False,
        help_text=_("For example 5: a parent and up to four children. Each person takes a seat."),
    )
    registration_mode = forms.ChoiceField(label=_("Who may register"), choices=RegistrationMode.choices)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors at the table"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    rsvp_deadline = LocalDateTimeField(label=_("Deadline to answer the invitation"), required=False)
    chatham_house_rule = forms.BooleanField(
        label=_("Chatham House Rule: what is said may be used, but not who said it"), required=False
    )
    capacity = NumberField(
        label=_("Seats"), min_value=1, max_value=MAX_CAPACITY, required=False, help_text=_("Empty means no limit.")
    )
    registration_opens_at = LocalDateTimeField(label=_("Registration opens"), required=False)
    registration_closes_at = LocalDateTimeField(label=_("Registration closes"), required=False)
    waiting_list_enabled = forms.BooleanField(label=_("Keep a waiting list when the seats are taken"), required=False)
    offer_hold_hours = NumberField(
        label=_("Hours a freed seat is held for the next person waiting"),
        min_value=1,
        max_value=MAX_OFFER_HOLD_HOURS,
        required=False,
        help_text=_("Empty: the next person waiting gets the seat at once."),
    )
    asks_recording_consent = forms.BooleanField(label=_("Ask whether people agree to being recorded"), required=False)
    audience = forms.ChoiceField(label=_("Who it is for"), choices=Audience.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    reminders = forms.TypedMultipleChoiceField(
        label=_("Reminders to people with a seat"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resources_url = forms.URLField(assume_scheme="https", label=_("Link to materials"), required=False, max_length=200)
    feedback_url = forms.URLField(
        assume_scheme="https", label=_("Link to the feedback form"), required=False, max_length=200
    )
    recording_url = forms.URLField(
        assume_scheme="https", label=_("Link to the recording"), required=False, max_length=200
    )

    COMMON = [
        (_("What and when"), ["title", "description", "start", "end", "timezone", "audience", "language"]),
    ]
    ONLINE = (_("Online"), ["online_platform", "join_url"])
    PLACE = (_("Place"), ["format", "region", "venue_name", "venue_address", "city"])
    REGISTRATION = (
        _("Registration"),
        [
            "capacity",
            "registration_mode",
            "registration_opens_at",
            "registration_closes_at",
            "waiting_list_enabled",
            "offer_hold_hours",
            "asks_recording_consent",
        ],
    )
    AFTER = (_("Reminders and links"), ["reminders", "resources_url", "feedback_url", "recording_url"])

    def __init__(self, *args, kind: str, event=None, **kwargs):
        self.kind = kind
        self.event = event
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(event)
        super().__init__(*args, **kwargs)
        current_zone = event.timezone if event is not None else ""
        self.fields["timezone"].choices = timezone_choices(current_zone)
        self.fields["timezone"].initial = current_zone or settings.TIME_ZONE
        offsets = list(event.reminder_offsets or []) if event is not None else [24 * 60, 60]
        known = {minutes for minutes, _label in REMINDER_CHOICES}
        extra = [(minutes, minutes_label(minutes)) for minutes in offsets if minutes not in known]
        self.fields["reminders"].choices = [*REMINDER_CHOICES, *extra]
        if event is None:
            self.fields["reminders"].initial = [24 * 60, 60]
            self.fields["waiting_list_enabled"].initial = True
            self.fields["audience"].initial = AUDIENCE_OF_KIND.get(kind, Audience.PUBLIC)
            self.fields["language"].initial = Language.in_use()
        self.sections = self._sections()
        keep = {name for _legend, names in self.sections for name in names}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind == EventKind.OUTREACH_VISIT:
            self.fields["region"].required = True
        if kind == EventKind.ROUNDTABLE:
            self.fields["registration_mode"].label = _("Who may take part")
            if event is None:
                # a roundtable is by invitation (its Invitations tab and codes); "open" had to be
                # noticed and changed on every new one
                self.fields["registration_mode"].initial = RegistrationMode.INVITATION

    def _sections(self) -> list:
        sections = list(self.COMMON)
        registration = (self.REGISTRATION[0], list(self.REGISTRATION[1]))
        if self.kind == EventKind.WEBINAR:
            sections.append(self.ONLINE)
        elif self.kind == EventKind.OUTREACH_VISIT:
            sections.append((_("Place"), ["region", "venue_name", "venue_address", "city"]))
            sections.append((_("Families"), ["families_welcome", "max_party_size"]))
        elif self.kind == EventKind.ROUNDTABLE:
            sections.append(self.PLACE)
            sections.append(self.ONLINE)
            sections.append((_("Invitations"), ["registration_mode", "sectors", "rsvp_deadline", "chatham_house_rule"]))
            registration[1].remove("registration_mode")
        else:
            sections.append(self.PLACE)
            sections.append(self.ONLINE)
        sections.append(registration)
        sections.append(self.AFTER)
        return sections

    @staticmethod
    def initial_from(event) -> dict:
        zone = event.zone
        initial = {
            name: getattr(event, name)
            for name in (
                "title", "description", "timezone", "format", "online_platform", "join_url", "region",
                "venue_name", "venue_address", "city", "max_party_size", "registration_mode", "sectors",
                "chatham_house_rule", "capacity", "waiting_list_enabled", "offer_hold_hours",
                "asks_recording_consent", "audience", "language", "resources_url", "feedback_url", "recording_url",
            )
        }  # fmt: skip
        for name in LOCAL_TIMES:
            initial[name] = local_value(getattr(event, name), zone)
        initial["families_welcome"] = event.max_party_size > 1
        initial["reminders"] = list(event.reminder_offsets or [])
        return initial

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The event must end after it starts."))
        check_wall_clock(self, data, [name for name in LOCAL_TIMES if name in self.fields], data.get("timezone"))
        if "families_welcome" in self.fields:
            if data.get("families_welcome") and (data.get("max_party_size") or 1) < 2:
                self.add_error("max_party_size", _("Say how many people one registration may bring: 2 or more."))
            # a number typed with the box left unticked would be dropped without a word; the number
            # kept from before is not, so unticking the box alone turns families off
            kept = self.event.max_party_size if self.event is not None else 1
            typed = data.get("max_party_size") or 1
            if not data.get("families_welcome") and typed > 1 and typed != kept:
                self.add_error(
                    "max_party_size",
                    _(
                        "Tick “Families may come together” too, or leave this empty: without it each "
                        "registration is one person."
                    ),
                )
        return data

    def _kept_time(self, name, value):
        """The form shows minutes: a time set elsewhere with seconds is kept when the minute is unchanged."""
        current = getattr(self.event, name, None) if self.event is not None else None
        if value is not None and current is not None and current.replace(second=0, microsecond=0) == value:
            return current
        return value

    def service_fields(self) -> dict:
        """Keyword arguments for events.services.create_event / update_event."""
        data = dict(self.cleaned_data)
        zone = zoneinfo.ZoneInfo(data["timezone"])
        fields = {}
        for name, value in data.items():
            if name in ("families_welcome", "reminders"):
                continue
            if isinstance(value, dt.datetime):
                value = _in_zone(value, zone)
            fields[name] = value
        for name in LOCAL_TIMES:
            if name in self.fields:
                fields[name] = self._kept_time(name, _in_zone(data.get(name), zone))
        if "families_welcome" in self.fields:
            fields["max_party_size"] = (data.get("max_party_size") or 1) if data.get("families_welcome") else 1
        if "reminders" in self.fields:
            fields["reminder_offsets"] = sorted(set(data.get("reminders") or []), reverse=True)
        if self.kind == EventKind.WEBINAR:
            fields["format"] = EventFormat.ONLINE
        elif self.kind == EventKind.OUTREACH_VISIT:
            fields["format"] = EventFormat.IN_PERSON
        for name in ("description", "online_platform", "join_url", "venue_name", "venue_address", "city"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        if self.event is None:
            fields["kind"] = self.kind
        return fields


class MoveEventForm(ServiceErrors, forms.Form):
    start = LocalDateTimeField(label=_("New start"))
    end = LocalDateTimeField(label=_("New end"))

    def __init__(self, *args, event, **kwargs):
        self.event = event
        kwargs.setdefault(
            "initial", {"start": local_value(event.start, event.zone), "end": local_value(event.end, event.zone)}
        )
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = _("Times are in %(zone)s.") % {"zone": zone_name(event.timezone, event.start)}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The event must end after it starts."))
        check_wall_clock(self, data, ["start", "end"], self.event.timezone)
        return data

    def service_fields(self) -> dict:
        zone = self.event.zone
        return {"start": _in_zone(self.cleaned_data["start"], zone), "end": _in_zone(self.cleaned_data["end"], zone)}


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone registered, waiting or speaking receives this in the cancellation email."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel the event and tell everyone"), error_messages={"required": _("Tick the box to confirm.")}
    )


# --- Series ---------------------------------------------------------------------------

WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
WEEK_POSITIONS = [("1", _("1st")), ("2", _("2nd")), ("3", _("3rd")), ("4", _("4th")), ("-1", _("Last"))]
RULE_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")


class SeriesForm(ServiceErrors, forms.Form):
    """A recurring series in words; :meth:`rrule` writes the RFC 5545 rule for the organiser."""

    FIELD_NAMES = {"first_start": "first_date", "rrule": "frequency", "exdates": "exception_dates"}

    FREQUENCIES = [("weekly", _("Every week")), ("monthly", _("Every month"))]

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=limits.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices, initial=EventKind.MENTORING_SESSION)
    # the model's default: "Online" (the first choice) made an in-person workshop online unnoticed
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices, initial=EventFormat.IN_PERSON)
    timezone = forms.ChoiceField(label=_("Time zone"), help_text=_("Dates and times of the series are in this zone."))
    first_date = forms.DateField(
        label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = NumberField(
        label=_("Length in minutes"), min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, initial=90
    )
    frequency = forms.ChoiceField(label=_("Repeats"), choices=FREQUENCIES, widget=forms.RadioSelect, initial="weekly")
    interval = NumberField(
        label=_("Every how many weeks or months"), min_value=1, max_value=12, initial=1,
        help_text=_("1: every week (or month); 2: every other one."),
    )  # fmt: skip
    weekdays = forms.MultipleChoiceField(
        label=_("On these days (weekly)"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    month_weeks = forms.MultipleChoiceField(
        label=_("In these weeks of the month (monthly)"),
        choices=WEEK_POSITIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For example 2nd and 4th with Thursday. None: the same day of the month as the first date."),
    )
    # a select always has a day: no "(optional)"; it is read only with the weeks above
    month_weekday = forms.ChoiceField(
        label=_("Day of those weeks (monthly)"),
        choices=WEEKDAYS,
        required=False,
        help_text=_("With the weeks of the month above: Thursday for the 2nd and 4th Thursday."),
    )
    until = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: the series goes on, and its next two years are planned."),
    )
    exception_dates = forms.CharField(
        label=_("Dates without a session"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date a line, for example 2026-12-31."),
    )
    region = RegionChoiceField(label=_("Region"), required=False)
    venue_name = forms.CharField(label=_("Venue"), required=False, max_length=200)
    venue_address = forms.CharField(label=_("Address"), required=False, max_length=300)
    city = forms.CharField(label=_("City or village"), required=False, max_length=100)
    online_platform = forms.CharField(label=_("Online platform"), required=False, max_length=100)
    join_url = forms.URLField(assume_scheme="https", label=_("Link to join"), required=False, max_length=200)
    capacity = NumberField(
        label=_("Seats"), min_value=1, max_value=MAX_CAPACITY, required=False, help_text=_("Empty means no limit.")
    )
    registration_mode = forms.ChoiceField(label=_("Who may register"), choices=RegistrationMode.choices)
    audience = forms.ChoiceField(label=_("Who it is for"), choices=Audience.choices, initial=Audience.MENTEES)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    published = forms.BooleanField(label=_("Publish the sessions now"), required=False)

    SECTIONS = [
        (_("What"), ["title", "description", "kind", "audience", "language"]),
        (_("When"), ["timezone", "first_date", "start_time", "duration_minutes"]),
        (_("How it repeats"), ["frequency", "interval", "weekdays", "month_weeks", "month_weekday", "until",
                                "exception_dates"]),
        (_("Place"), ["format", "region", "venue_name", "venue_address", "city", "online_platform", "join_url"]),
        (_("Registration"), ["capacity", "registration_mode", "published"]),
    ]  # fmt: skip
    DETAIL_FIELDS = (
        "title", "description", "kind", "format", "timezone", "region", "venue_name", "venue_address", "city",
        "online_platform", "join_url", "capacity", "registration_mode", "audience", "language",
    )  # fmt: skip

    def __init__(self, *args, series=None, **kwargs):
        self.series = series
        if series is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(series)
        super().__init__(*args, **kwargs)
        current = series.timezone if series is not None else ""
        self.fields["timezone"].choices = timezone_choices(current)
        self.fields["timezone"].initial = current or settings.TIME_ZONE
        # a rule written elsewhere (the API) that the form cannot say in its words
        self.rule_understood = series is None or bool(parse_rule(series.rrule, series.zone))
        if series is not None:
            self.fields["published"].label = _("Published")
        else:
            self.fields["language"].initial = Language.in_use()
        self.sections = self.SECTIONS

    @classmethod
    def initial_from(cls, series) -> dict:
        initial = {name: getattr(series, name) for name in cls.DETAIL_FIELDS}
        zone = series.zone
        first = timezone.localtime(series.first_start, zone)
        initial.update(
            first_date=first.date(),
            start_time=first.time().replace(second=0, microsecond=0),
            duration_minutes=series.duration_minutes,
            published=series.published,
            exception_dates="\n".join(sorted(str(value)[:10] for value in series.exdates or [])),
        )
        initial.update(parse_rule(series.rrule, zone))
        return initial

    def clean_exception_dates(self):
        dates = []
        for line in self.cleaned_data.get("exception_dates", "").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                dates.append(dt.date.fromisoformat(line))
            except ValueError:
                raise ValidationError(
                    _("“%(line)s” is not a date: write it as 2026-12-31."), params={"line": line[:40]}
                ) from None
        return sorted(set(dates))

    def clean(self):
        data = super().clean()
        frequency = data.get("frequency")
        if frequency == "weekly" and not data.get("weekdays") and data.get("first_date"):
            data["weekdays"] = [WEEKDAYS[data["first_date"].weekday()][0]]
        if frequency == "monthly" and data.get("month_weeks") and not data.get("month_weekday"):
            self.add_error("month_weekday", _("Choose the day of the week."))
        if data.get("until") and data.get("first_date") and data["until"] < data["first_date"]:
            self.add_error("until", _("The last date comes after the first one."))
        if data.get("kind") == EventKind.OUTREACH_VISIT and not data.get("region"):
            self.add_error("region", _("An outreach visit needs a region."))
        if data.get("first_date") and data.get("start_time"):
            first = {"start_time": dt.datetime.combine(data["first_date"], data["start_time"])}
            check_wall_clock(self, first, ["start_time"], data.get("timezone"))
        return data

    def rrule(self) -> str:
        data = self.cleaned_data
        parts = [f"FREQ={data['frequency'].upper()}"]
        if data.get("interval", 1) and data["interval"] > 1:
            parts.append(f"INTERVAL={data['interval']}")
        if data["frequency"] == "weekly":
            parts.append("BYDAY=" + ",".join(day for day, _label in WEEKDAYS if day in data["weekdays"]))
        elif data.get("month_weeks"):
            weekday = data["month_weekday"]
            positions = sorted({int(week) for week in data["month_weeks"]}, key=lambda week: (week < 0, week))
            parts.append("BYDAY=" + ",".join(f"{week:+d}{weekday}" for week in positions))
        else:
            parts.append(f"BYMONTHDAY={data['first_date'].day}")
        if data.get("until"):
            parts.append(f"UNTIL={data['until']:%Y%m%d}T235959")
        return ";".join(parts)

    def service_fields(self) -> dict:
        """Keyword arguments for events.services.create_series / update_series."""
        data = self.cleaned_data
        zone = zoneinfo.ZoneInfo(data["timezone"])
        fields = {name: data.get(name) for name in self.DETAIL_FIELDS}
        for name in ("description", "venue_name", "venue_address", "city", "online_platform", "join_url"):
            fields[name] = fields[name] or ""
        first_start = dt.datetime.combine(data["first_date"], data["start_time"]).replace(tzinfo=zone)
        fields.update(
            first_start=first_start,
            duration_minutes=data["duration_minutes"],
            rrule=self.rrule(),
            exdates=[dt.datetime.combine(day, data["start_time"]).isoformat() for day in data["exception_dates"]],
            published=data.get("published", False),
        )
        return fields


def parse_rule(rule: str, zone) -> dict:
    """The form's words for a rule it can write; {} for one written by hand elsewhere."""
    parts = {}
    for part in (rule or "").upper().removeprefix("RRULE:").split(";"):
        if not RULE_PART.match(part):
            return {}
        key, value = part.split("=", 1)
        parts[key] = value
    frequency = parts.pop("FREQ", "")
    initial = {"interval": int(parts.pop("INTERVAL", "1") or 1)}
    if "UNTIL" in parts:
        try:
            until = dt.datetime.strptime(parts.pop("UNTIL")[:15], "%Y%m%dT%H%M%S")
        except ValueError:
            return {}
        initial["until"] = until.date()
    days = parts.pop("BYDAY", "")
    if frequency == "WEEKLY":
        initial.update(frequency="weekly", weekdays=[day for day in days.split(",") if day])
    elif frequency == "MONTHLY":
        initial["frequency"] = "monthly"
        if days:
            found = [re.match(r"^([+-]?\d)([A-Z]{2})$", day) for day in days.split(",")]
            if not all(found) or len({match.group(2) for match in found}) != 1:
                return {}
            initial["month_weeks"] = [str(int(match.group(1))) for match in found]
            initial["month_weekday"] = found[0].group(2)
        parts.pop("BYMONTHDAY", None)
    else:
        return {}
    return initial if not parts else {}

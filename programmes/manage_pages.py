"""The organiser's dashboard in the workspace: figures, upcoming and past events, attendance
charts, and a link to each programme's impact report. The figures and charts are attendance's
(attendance.dashboard, attendance.charts, and the CSV exports in attendance.exports); the page
lives in this app because it also reads the programmes, which sit above attendance."""

from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attendance import dashboard
from attendance.charts import stacked_bars_svg
from events.models import Event, EventKind
from events.workspace import no_store, organiser_required
from programmes import selectors
from programmes.manage_forms import DashboardFilterForm

CHART_MONTHS = 12


@require_GET
@organiser_required
def dashboard_page(request):
    now = timezone.now()
    # the programmes whose reports the organiser may read; their relations are not shown here
    visible = selectors.programmes_visible_to(request.user).prefetch_related(None)
    programmes = list(visible.order_by("-starts_on", "title"))
    form = DashboardFilterForm(request.GET or None, programmes=programmes)
    events = form.narrow(Event.objects.all())
    filtered = form.is_valid() and any(form.cleaned_data.values())
    if form.chosen_programme() is not None:
        events = events.filter(pk__in=selectors.programme_events(form.chosen_programme()).values("pk"))
    kind_names = dict(EventKind.choices)
    months, by_kind = dashboard.attendance_by_month(request.user, months=CHART_MONTHS, group="kind", events=events)
    _months, by_region = dashboard.attendance_by_month(request.user, months=CHART_MONTHS, group="region", events=events)
    month_labels = [formats.date_format(month, "M y") for month in months]
    context = {
        "form": form,
        "filtered": filtered,
        "query": request.GET.urlencode(),
        # the CSV exports apply the same kind and region filters (attendance.exports)
        "export_query": form.export_query(),
        "summary": dashboard.summary(request.user, now=now, events=events),
        "programmes": programmes,
        "upcoming": list(dashboard.upcoming_events(request.user, now=now, events=events)[:50]),
        "past": dashboard.past_events(request.user, now=now, events=events),
        "kind_chart": stacked_bars_svg(
            months=months,
            series={str(kind_names.get(kind, kind)): values for kind, values in by_kind.items()},
            title=_("People attending per month, by kind of event"),
            month_labels=month_labels,
        ),
        "region_chart": stacked_bars_svg(
            months=months,
            series=by_region,
            title=_("People attending per month, by region"),
            month_labels=month_labels,
        ),
    }
    return no_store(render(request, "programmes/manage/dashboard.html", context))

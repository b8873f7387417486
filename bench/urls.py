"""The service's URLs plus the floor: the least a check-in could cost over HTTP."""

import json

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events_project.routing import IdConverter  # noqa: F401 - registers <id:...>
from registrations.models import Registration


@csrf_exempt
@require_POST
def floor(request, event_id):
    """Read the secret from a JSON body and look it up by its unique index, nothing else:
    no authentication, no rights, no DRF, no write; the SQL by hand, as the scan does it."""
    secret = json.loads(request.body)["secret"].removeprefix("EVT1:")
    table = connection.ops.quote_name(Registration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, event_id, status FROM {table} WHERE ticket_secret = %s", [secret])
        found = cursor.fetchone()
    if found is None:
        return JsonResponse({"code": "invalid"}, status=400)
    return JsonResponse({"code": "found", "ok": found[1] == event_id and found[2] == "confirmed"})


urlpatterns = [
    path("bench/floor/<id:event_id>/", floor),
    path("", include("events_project.urls")),
]

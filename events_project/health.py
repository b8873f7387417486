import datetime as dt
import time

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_q.brokers import get_broker
from django_q.models import Schedule, Success

# The scheduler runs about every 30 s; a schedule due a minute ago and not moved on for three
# minutes more means no cluster is running.
WORKER_SILENT_AFTER = dt.timedelta(minutes=3)


def _database_status() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok", reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _queue_status() -> dict:
    try:
        broker = get_broker()
        status = {
            "ok": bool(broker.ping()),
            "broker": "redis" if settings.REDIS_URL else "orm",
            "queued": broker.queue_size(),
        }
        last = Success.objects.order_by("-stopped").values_list("stopped", flat=True).first()
        status["last_success"] = last.isoformat() if last else None
        return status
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health check
        return {"ok": False, "error": exc.__class__.__name__}


def _worker_status(now=None) -> dict:
    """Is a django-q2 cluster running? Its scheduler moves each due schedule's ``next_run``
    forward, in the database, where every web process can see it: the every-minute schedules
    are the heartbeat. No schedules yet (``setup_schedules`` not run) means "unknown"."""
    now = now or timezone.now()
    try:
        next_runs = Schedule.objects.filter(schedule_type=Schedule.MINUTES, minutes=1, repeats__lt=0)
        latest = next_runs.aggregate(latest=Max("next_run"))["latest"]
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health check
        return {"ok": False, "state": "unknown", "error": exc.__class__.__name__}
    if latest is None:
        return {"ok": True, "state": "unknown", "next_run": None}
    silent = latest < now - WORKER_SILENT_AFTER
    return {"ok": not silent, "state": "silent" if silent else "alive", "next_run": latest.isoformat()}


@require_safe
def healthz(request):
    """Database, queue and worker status as JSON: 503 when the database does not answer or
    the worker has been silent for too long; 200 otherwise."""
    database = _database_status()
    queue = _queue_status()
    worker = _worker_status() if database["ok"] else {"ok": False, "state": "unknown"}
    healthy = database["ok"] and worker["ok"]
    body = {
        "status": "ok" if healthy and queue["ok"] else "degraded",
        "database": database,
        "queue": queue,
        "worker": worker,
    }
    return JsonResponse(body, status=200 if healthy else 503)

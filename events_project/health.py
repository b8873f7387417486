import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


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
        from django_q.brokers import get_broker
        from django_q.models import Success
        from django_q.status import Stat

        broker = get_broker()
        status = {
            "ok": bool(broker.ping()),
            "broker": "redis" if settings.REDIS_URL else "orm",
            "queued": broker.queue_size(),
            "clusters": len(Stat.get_all(broker=broker)),
        }
        last = Success.objects.order_by("-stopped").values_list("stopped", flat=True).first()
        status["last_success"] = last.isoformat() if last else None
        return status
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the health check
        return {"ok": False, "error": exc.__class__.__name__}


def healthz(request):
    """Database and queue status as JSON: 200 when the database answers, 503 when not."""
    database = _database_status()
    queue = _queue_status()
    body = {"status": "ok" if database["ok"] and queue["ok"] else "degraded", "database": database, "queue": queue}
    return JsonResponse(body, status=200 if database["ok"] else 503)

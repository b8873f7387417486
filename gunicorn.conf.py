"""gunicorn settings, read from the working directory by `gunicorn events_project.wsgi`.

One file for every place the web server runs (compose.yaml, scripts/prodstack.py, the
production tests), so they all start it with the same command and the same limits.
"""

import os


def env_int(name: str, default: int) -> int:
    """As the settings read numbers: unset or empty means the default."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}")
workers = env_int("WEB_CONCURRENCY", 4)
threads = env_int("GUNICORN_THREADS", 1)
# A request that holds a worker longer than this is a bug, not load: the worker is replaced.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never takes the service down
# (the benchmark sets GUNICORN_MAX_REQUESTS=0: a recycled worker's CPU would vanish from its sums).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = 500 if max_requests else 0
# The backlog holds a rush of clients while every worker is busy, instead of refusing them.
backlog = 2048
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Path only (%(U)s), never the query string: searches may carry names or email addresses.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# builds only the fields that format names (gunicorn's own builds every header and environ variable)
logger_class = "events_project.access_log.AccessLogger"
# /dev/shm keeps worker heartbeats off slow container disks.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

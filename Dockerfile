# The service's image: the web server and the django-q2 workers run from it (compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
# Static files are collected into the image; whitenoise serves them, compressed and hashed.
# The key only satisfies the settings during the build; the real one comes from the environment.
RUN SECRET_KEY=build-only-not-a-secret DATA_DIR=/app/build-data python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /data && mv /app/build-data/static /data/static && rm -rf /app/build-data \
    && useradd --system --home-dir /app events && chown -R events /data

USER events
EXPOSE 8000
# gunicorn reads gunicorn.conf.py from /app (workers from WEB_CONCURRENCY).
CMD ["gunicorn", "events_project.wsgi"]

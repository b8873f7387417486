"""One real django-q2 worker: a message queued here is sent by a `manage.py qcluster` process."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_q.conf import Conf

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import queue_message
from tests import factories
from tests.notifications.conftest import make_registration


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_qcluster_process_sends_a_queued_message(subprocess_env, tmp_path, monkeypatch):
    mail_dir = tmp_path / "mail"
    env = {
        **subprocess_env,
        "DJANGO_SETTINGS_MODULE": "events_project.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "Q_WORKERS": "1",
        "DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("REDIS_URL", None)  # the ORM broker: the task travels through the test database
    event = factories.EventFactory(title="CV clinic")
    registration = make_registration(event, name="Aysel Mammadova", email="aysel@example.org")
    # this process hands the task to the broker instead of running it itself
    monkeypatch.setattr(Conf, "SYNC", False)

    log = open(tmp_path / "qcluster.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        message = queue_message(
            kind=kinds.REGISTRATION_CONFIRMED,
            recipient_email=registration.email,
            recipient_name=registration.name,
            about=registration,
            event=event,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            message.refresh_from_db()
            if message.status not in (OutboxStatus.PENDING, OutboxStatus.SENDING) or process.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        _stop(process)
        log.close()

    output = Path(tmp_path / "qcluster.log").read_text()
    assert message.status == OutboxStatus.SENT, f"{message.status}: {message.last_error}\n{output[-3000:]}"
    files = list(mail_dir.iterdir())
    assert len(files) == 1
    written = files[0].read_text()
    assert "To: Aysel Mammadova <aysel@example.org>" in written
    assert "Your seat at CV clinic is confirmed" in written
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
    assert process.returncode is not None


def test_a_worker_process_leaves_its_start_up_objects_out_of_garbage_collection():
    import gc

    from django_q.signals import post_spawn

    gc.unfreeze()
    try:
        # what django-q2 sends in each worker process it starts
        post_spawn.send(sender="django_q", proc_name="Worker-1")

        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()

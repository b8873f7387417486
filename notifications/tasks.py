"""django-q2 entry points: thin, safe to run twice (rows are claimed before sending)."""

import logging

from notifications.services import outbox

logger = logging.getLogger(__name__)


def send_messages(message_ids: list[int]) -> dict:
    return outbox.send_outbox_messages(message_ids=list(message_ids))


def send_message(message_id: int) -> dict:
    return outbox.send_outbox_messages(message_ids=[message_id])


def sweep_outbox() -> dict:
    return outbox.sweep_outbox()

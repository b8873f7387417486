"""Notifications: the outbox, message rendering, reminders and follow-ups, attendance.

Other apps call :func:`queue_message` inside their own transactions.
"""

from notifications.services.outbox import (
    MessageSpec,
    queue_message,
    queue_messages,
    resend_message,
    send_outbox_messages,
    sweep_outbox,
)

__all__ = [
    "MessageSpec",
    "queue_message",
    "queue_messages",
    "resend_message",
    "send_outbox_messages",
    "sweep_outbox",
]

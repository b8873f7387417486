"""Notifications: the outbox, message rendering and sending, preferences, organisers' wording.

Other apps call :func:`queue_message` (or :func:`queue_messages` with ``MessageSpec``s: the
reminders of registrations.services.reminders) inside their own transactions.
"""

from notifications.services.outbox import (
    MessageAboutNew,
    MessageSpec,
    message_about_new,
    queue_message,
    queue_messages,
    queued_about_new,
    resend_message,
    rewrite_waiting_context,
    send_outbox_messages,
    supersede_waiting,
    supersede_waiting_of_events,
    sweep_outbox,
    waiting_contexts,
)

__all__ = [
    "MessageAboutNew",
    "MessageSpec",
    "message_about_new",
    "queue_message",
    "queue_messages",
    "queued_about_new",
    "resend_message",
    "rewrite_waiting_context",
    "send_outbox_messages",
    "supersede_waiting",
    "supersede_waiting_of_events",
    "sweep_outbox",
    "waiting_contexts",
]

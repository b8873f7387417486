"""Stand-ins for the mail server (what leaves the machine is the one thing tests replace)."""

import smtplib

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakyBackend(LocmemBackend):
    """Refuses the first ``failures`` messages, then delivers to mail.outbox."""

    failures = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPDataError(451, b"Try again later")
        return super().send_messages(email_messages)


class CountingBackend(LocmemBackend):
    """Counts connections opened, to show a batch shares one."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


__all__ = ["DownBackend", "FlakyBackend", "CountingBackend", "mail"]


class SlowBackend(LocmemBackend):
    """A mail server that takes a while to accept each message."""

    delay = 0.05

    def send_messages(self, email_messages):
        import time

        time.sleep(SlowBackend.delay)
        return super().send_messages(email_messages)


class RefusingBackend(LocmemBackend):
    """A mail server that refuses the next message to each address in ``refused`` (once each)."""

    refused: set[str] = set()

    def send_messages(self, email_messages):
        for email in email_messages:
            address = email.to[0].rsplit("<", 1)[-1].strip(">")
            if address in RefusingBackend.refused:
                RefusingBackend.refused.discard(address)
                raise smtplib.SMTPRecipientsRefused({address: (450, b"Mailbox busy")})
        return super().send_messages(email_messages)

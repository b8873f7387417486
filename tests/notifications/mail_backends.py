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


class SMTPServer:
    """A real SMTP server on 127.0.0.1 (a thread) for Django's own SMTP backend: it accepts every
    message, answers ``550`` to a recipient whose address contains ``refused`` (the connection
    stays up) and, as a provider that throttles does, ``421`` to one containing ``hangs-up``,
    closing the connection at once. ``delivered`` lists the addresses of the messages accepted."""

    def __init__(self):
        import socketserver
        import threading

        server = self

        class Session(socketserver.StreamRequestHandler):
            def reply(self, text):
                self.wfile.write(f"{text}\r\n".encode())
                self.wfile.flush()

            def handle(self):
                self.reply("220 test ESMTP")
                recipients = []
                while line := self.rfile.readline():
                    command = line.decode(errors="replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.reply("250-test")
                        self.reply("250 8BITMIME")
                    elif verb == "RCPT" and "hangs-up" in command:
                        self.reply("421 4.7.0 Try again later, closing connection")
                        return
                    elif verb == "RCPT" and "refused" in command:
                        self.reply("550 5.1.1 No such user")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip(" <>"))
                        self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        while self.rfile.readline() not in (b".\r\n", b""):
                            pass
                        server.delivered.extend(recipients)
                        recipients = []
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # HELO, MAIL, RSET, NOOP
                        recipients = [] if verb in ("MAIL", "RSET") else recipients
                        self.reply("250 ok")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.delivered: list[str] = []
        self._server = Server(("127.0.0.1", 0), Session)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


class WitnessBackend(LocmemBackend):
    """Before each message, asks the database from another connection (another thread's) which
    messages are written down as sent (``sent_at``: what the sweep records as sent, never to go
    again): what a worker killed at that moment leaves behind."""

    seen: list[list[str]] = []

    def send_messages(self, email_messages):
        import threading

        from django.db import connection

        from notifications.models import OutboxMessage

        seen = []

        def look():
            try:
                seen.extend(
                    OutboxMessage.objects.filter(sent_at__isnull=False)
                    .order_by("pk")
                    .values_list("recipient_email", flat=True)
                )
            finally:
                connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(timeout=30)
        WitnessBackend.seen.append(seen)
        return super().send_messages(email_messages)

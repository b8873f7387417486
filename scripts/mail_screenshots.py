#!/usr/bin/env python3
"""Every kind of message rendered as its recipient sees it, at phone width (390 px), in both languages.

    .venv/bin/python scripts/mail_screenshots.py        # writes screenshots/mail/<kind>-<language>.png

A throwaway database (data/mail-screenshots.sqlite3) holds one hybrid event with a join link, a
registration in the status each kind is about, an invited speaker and a cohort member; each message
is rendered by the same code the outbox worker uses (notifications.services.rendering.render) and
the HTML part is opened in Debian's chromium (scripts/setup_browser.py) through Playwright.
"""

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screenshots" / "mail"
DATABASE = ROOT / "data" / "mail-screenshots.sqlite3"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_project.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def messages() -> list[tuple[str, str, str]]:
    """(kind, language, HTML) for every kind."""
    from django.conf import settings
    from django.utils import timezone

    from events.models import Event
    from notifications import kinds
    from notifications.services.rendering import render
    from registrations.models import Registration

    start = timezone.now().replace(microsecond=0, second=0) + dt.timedelta(days=7)
    event = Event.objects.create(
        title="Careers in data science: a conversation with women engineers",
        kind="webinar",
        format="hybrid",
        status="published",
        start=start,
        end=start + dt.timedelta(hours=2),
        timezone="Asia/Baku",
        venue_name="Innovation Centre",
        venue_address="5 Nizami St",
        city="Baku",
        online_platform="Zoom",
        join_url="https://zoom.example.org/j/98765432101?pwd=a-long-password-that-wraps-on-a-phone-screen",
        feedback_url="https://forms.example.org/feedback/careers-in-data-science-2026-with-a-long-address",
        published_at=timezone.now(),
    )
    status = {**kinds.REGISTRATION_STATUS_OF_KIND}
    context = {
        "position": 3,
        "offset_minutes": 60,
        "invitation_code": "SAMPLE",
        "speaker_name": "Leyla Aliyeva",
        "respond_url": f"{settings.SITE_URL}/events/",
        "response_deadline": (start - dt.timedelta(days=2)).isoformat(),
        "invited_at": (start - dt.timedelta(days=12)).isoformat(),
        "accepted": True,
        "participant_name": "Nigar Hasanova",
        "participant_email": "nigar@example.org",
        "missed_count": 2,
        "missed_sessions": [{"title": "Mentoring circle", "start": start.isoformat(), "zone": "Asia/Baku"}] * 2,
        "attendance_rate": 80.0,
        "programme_title": "Mentoring 2026",
        "certificate_url": f"{settings.SITE_URL}/events/",
        "accept_url": f"{settings.SITE_URL}/events/",
        "role": "checkin",
        "inviter": "Kamran",
        "registrations": [],
        "subject": "Room change",
        "message": "We meet in room 204 this time.",
        "next_events": [
            {"title": "CV clinic", "start": start.isoformat(), "zone": "Asia/Baku", "url": settings.SITE_URL}
        ],
    }
    rendered = []
    for language in ("en", "az"):
        for kind in kinds.ALL_KINDS:
            registration = Registration.objects.create(
                event=event,
                name="Aysel Mammadova",
                email=f"{kind}.{language}@example.org",
                status=status.get(kind, "confirmed"),
                seats_held=1,
                consent_data_processing=True,
                language=language,
            )
            message = render(
                kind=kind,
                recipient_email=registration.email,
                recipient_name=registration.name,
                about=registration,
                event=event,
                context=context,
                language=language,
            )
            rendered.append((kind, language, message.body_html))
    return rendered


def main() -> int:
    setup()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    rendered = messages()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for kind, language, html in rendered:
            page.set_content(html)
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(OUT / f"{kind}-{language}.png"), full_page=True)
            print(f"{kind}-{language}.png{'  (wider than the phone: ' + str(width) + ' px)' if width > 390 else ''}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

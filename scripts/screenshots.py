#!/usr/bin/env python3
"""Screenshots of the main pages at phone (390 px) and desktop (1280 px) width.

    .venv/bin/python scripts/screenshots.py          # writes screenshots/*.png

Uses a database of its own (data/screenshots.sqlite3, migrated and loaded with the demo
programme), starts the development server on a free port, registers one attendee through the
form so that a ticket exists, then drives Debian's chromium (scripts/setup_browser.py) with
Playwright. Stops the server it started.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
OUT = ROOT / "screenshots"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def sign_in(page, site: str, username: str, password: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def shooter(site: str, width_name: str, shots: list):
    """Takes full-page screenshots of (name, path) pairs into OUT/<name>-<width>.png."""

    def shoot(page, pages) -> None:
        for name, path in pages:
            page.goto(site + path)
            target = OUT / f"{name}-{width_name}.png"
            page.screenshot(path=str(target), full_page=True)
            shots.append(target)

    return shoot


def shoot(page, name: str, width_name: str) -> Path:
    target = OUT / f"{name}-{width_name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def workspace_shots(page, site: str, width_name: str) -> list[Path]:
    """The organiser workspace (docs/guides/organiser.md shows these): my events, a new
    roundtable's form, a series with its preview, the tabs of the demo roundtable (its
    registrations too, with the message form open), the outbox and the dashboard."""
    shots = []
    page.goto(f"{site}/manage/?show=all")
    shots.append(shoot(page, "manage-events", width_name))
    page.goto(f"{site}/manage/events/new/")
    shots.append(shoot(page, "manage-event-new", width_name))
    page.goto(f"{site}/manage/events/new/roundtable/")
    shots.append(shoot(page, "manage-event-form-roundtable", width_name))
    page.goto(f"{site}/manage/series/new/")
    page.fill("#id_title", "Monthly mentoring circle")
    page.fill("#id_first_date", "2027-01-14")
    page.fill("#id_start_time", "18:30")
    page.check("input[name=frequency][value=monthly]")
    page.check("input[name=month_weeks][value='2']")
    page.check("input[name=month_weeks][value='4']")
    page.select_option("#id_month_weekday", "TH")
    page.fill("#id_until", "2027-06-30")
    page.click("button[name=preview]")
    page.wait_for_load_state()
    shots.append(shoot(page, "manage-series-preview", width_name))
    page.goto(f"{site}/manage/?show=all")
    page.click("text=The role of women in STEM: a roundtable")
    page.wait_for_load_state()
    event_path = page.url.removeprefix(site)
    shots.append(shoot(page, "manage-event-overview", width_name))
    for tab in ("registrations", "invitations", "speakers", "messages", "team"):
        page.goto(f"{site}{event_path}{tab}/")
        shots.append(shoot(page, f"manage-event-{tab}", width_name))
    page.goto(f"{site}{event_path}messages/reminder/")
    shots.append(shoot(page, "manage-event-message-preview", width_name))
    page.goto(f"{site}{event_path}registrations/")
    if page.locator("#write summary").count():
        page.click("#write summary")
        shots.append(shoot(page, "manage-event-registrations-write", width_name))
    page.goto(f"{site}/manage/outbox/")
    shots.append(shoot(page, "manage-outbox", width_name))
    page.goto(f"{site}/manage/dashboard/")
    shots.append(shoot(page, "manage-dashboard", width_name))
    return shots


def main() -> int:
    if not Path(CHROMIUM).exists():
        subprocess.run([PYTHON, str(ROOT / "scripts" / "setup_browser.py")], check=False)
        if not Path(CHROMIUM).exists():
            say(f"no browser at {CHROMIUM}: cannot take screenshots")
            return 1
    from playwright.sync_api import sync_playwright

    from events.demo import ORGANISER_PASSWORD, ORGANISER_USERNAME
    from speakers.demo import SPEAKER_PASSWORD, SPEAKER_USERNAME

    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{ROOT / 'data' / 'screenshots.sqlite3'}",
        "Q_SYNC": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    say("preparing the screenshot database (data/screenshots.sqlite3)")
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    demo = subprocess.run([PYTHON, "manage.py", "load_demo"], cwd=ROOT, env=env, capture_output=True, text=True)
    if demo.returncode:
        print(demo.stdout, demo.stderr, file=sys.stderr)
        return demo.returncode
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**env, "SITE_URL": site},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    OUT.mkdir(exist_ok=True)
    shots = []
    try:
        wait_for(f"{site}/healthz")
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            setup = browser.new_page()
            setup.goto(site + "/")
            event_url = setup.locator("ul.cards a").first.get_attribute("href")
            event_id = event_url.strip("/").split("/")[-1]
            setup.goto(f"{site}/events/{event_id}/register/")
            register_url = setup.url
            setup.fill("#id_name", "Aysel Aliyeva")
            setup.fill("#id_email", f"aysel.{int(time.time())}@example.org")
            for field in setup.locator("input[type=text][required], input[type=number][required]").all():
                if not field.input_value():
                    field.fill("1")
            setup.check("#id_consent_data_processing")
            setup.click("form button[type=submit]")
            setup.wait_for_load_state()
            setup.click("text=Open my ticket") if setup.locator("text=Open my ticket").count() else None
            ticket_url = setup.url
            setup.goto(site + "/speakers/")
            speaker_url = setup.locator("ul.cards h2 a").first.get_attribute("href")
            sign_in(setup, site, ORGANISER_USERNAME, ORGANISER_PASSWORD)
            answer = setup.context.request.get(site + "/api/programmes/", headers={"Accept": "application/json"})
            programmes = answer.json().get("results", []) if answer.ok else []
            setup.close()

            ticket = ticket_url.removeprefix(site)
            public = [
                ("events", "/"),
                ("event", event_url),
                ("register", register_url.removeprefix(site)),
                ("ticket", ticket),
                ("confirmation", ticket + "confirmation/"),
                ("cancel", ticket + "cancel/"),
                ("speakers", "/speakers/"),
                ("speaker", speaker_url),
                ("sign-in", "/accounts/login/"),
                ("tickets-recover", "/tickets/recover/"),
                ("password-reset", "/accounts/password_reset/"),
            ]
            azerbaijani = [("events-az", "/"), ("event-az", event_url)]
            speaker = [("speaker-area", "/speaker/"), ("speaker-profile", "/speaker/profile/")]
            staff = [
                ("my-doors", "/checkin/"),
                ("checkin", f"/checkin/{event_id}/"),
                ("dashboard", "/manage/dashboard/"),
            ]
            if programmes:
                staff.append(("impact-report", f"/programmes/{programmes[0]['id']}/report/"))
            for width_name, (width, height) in WIDTHS.items():
                take = shooter(site, width_name, shots)
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                take(page, public)
                sign_in(page, site, SPEAKER_USERNAME, SPEAKER_PASSWORD)
                take(page, speaker)
                page.goto(site + "/speaker/")  # the profile page was the last one taken
                page.click("text=Subscribe to my schedule")  # makes the private calendar link
                take(page, [("my-calendars", "/my/calendars/")])
                page.context.clear_cookies()
                sign_in(page, site, ORGANISER_USERNAME, ORGANISER_PASSWORD)
                take(page, staff)
                shots += workspace_shots(page, site, width_name)
                context.close()
                context = browser.new_context(viewport={"width": width, "height": height}, locale="az-AZ")
                take(context.new_page(), azerbaijani)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    for shot in shots:
        print(f"  {shot.relative_to(ROOT)}")
    say(f"{len(shots)} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_project.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    sys.exit(main())

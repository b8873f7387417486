"""QR tickets: real images read back by a real decoder, and the decoded code gets in."""

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from django.core.cache import cache
from PIL import Image, ImageDraw
from rest_framework.throttling import ScopedRateThrottle

from events.models import EventFormat
from notifications import kinds
from notifications.services.rendering import build_attachments
from registrations.models import RegistrationStatus
from registrations.services import tickets
from tests import factories
from tests.checkin.conftest import make_registration, scan_url

pytestmark = pytest.mark.django_db


def decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def rasterise_svg(svg: str, scale: int = 8) -> Image.Image:
    """Draw the SVG's path (absolute M/H/V/Z squares, as qrcode writes them) on a white canvas."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    _, _, width, height = (float(value) for value in root.attrib["viewBox"].split())
    image = Image.new("L", (int(width * scale), int(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert paths
    for element in paths:
        for shape in re.findall(r"M[^M]+", element.attrib["d"]):
            points, x, y = [], 0.0, 0.0
            for command, number in re.findall(r"([MHVLz])\s*([-\d.,\s]*)", shape):
                if command == "M" or command == "L":
                    x, y = (float(value) for value in number.split(","))
                elif command == "H":
                    x = float(number)
                elif command == "V":
                    y = float(number)
                else:
                    continue
                points.append((x * scale, y * scale))
            draw.polygon(points, fill=0)
    return image


def test_ticket_payload_has_prefix_secret_and_nothing_personal(ticket):
    payload = tickets.ticket_payload(ticket)

    assert payload == f"EVT1:{ticket.ticket_secret}"
    assert ticket.name.split()[0].upper() not in payload
    assert "@" not in payload


def test_qr_png_decodes_to_payload_and_checks_in(ticket, event, staff_client):
    png = tickets.qr_png(registration=ticket)

    decoded = decode(Image.open(io.BytesIO(png)))
    response = staff_client.post(scan_url(event), {"secret": decoded, "device": "door-1"})

    assert decoded == tickets.ticket_payload(ticket)
    assert response.status_code == 200, response.data
    assert response.data["code"] == "checked_in"
    assert response.data["registration"]["name"] == "Leyla Aliyeva"


def test_ticket_mail_attaches_the_registrations_qr_code(ticket, event):
    # the outbox draws it through its registry, filled by registrations (notifications sits below)
    attachments = build_attachments(
        kind=kinds.REGISTRATION_CONFIRMED, recipient_email=ticket.email, recipient_name=ticket.name,
        about=ticket, event=event,
    )  # fmt: skip
    (png,) = [attachment for attachment in attachments if attachment["filename"] == "ticket.png"]

    assert png["content_type"] == "image/png"
    assert decode(Image.open(io.BytesIO(base64.b64decode(png["content"])))) == tickets.ticket_payload(ticket)


def test_qr_svg_is_valid_svg_that_decodes_and_checks_in(ticket, event, staff_client):
    svg = tickets.qr_svg(registration=ticket)

    decoded = decode(rasterise_svg(svg))
    response = staff_client.post(scan_url(event), {"secret": decoded})

    assert decoded == tickets.ticket_payload(ticket)
    assert response.data["code"] == "checked_in"


def test_qr_endpoints_serve_png_and_svg_by_management_token(ticket, api_client):
    png = api_client.get(f"/api/registrations/manage/{ticket.manage_token}/qr.png")
    svg = api_client.get(f"/api/registrations/manage/{ticket.manage_token}/qr.svg")

    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert "no-store" in png["Cache-Control"]
    assert decode(Image.open(io.BytesIO(png.content))) == tickets.ticket_payload(ticket)
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert decode(rasterise_svg(svg.content.decode())) == tickets.ticket_payload(ticket)


def test_qr_endpoint_unknown_token_is_not_found(api_client):
    response = api_client.get("/api/registrations/manage/not-a-real-token/qr.png")

    assert response.status_code == 404
    assert response.data["code"] == "not_found"


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_qr_endpoint_without_confirmed_ticket_is_not_found(event, api_client, status):
    registration = make_registration(event, status=status)

    response = api_client.get(f"/api/registrations/manage/{registration.manage_token}/qr.svg")

    assert response.status_code == 404
    assert response.data["code"] == "no_ticket"


def test_qr_endpoints_of_an_online_only_ticket_are_not_found(api_client):
    # an online-only event has no door: its ticket page and mails show no code, nor does the API
    webinar = make_registration(factories.WebinarFactory())

    png = api_client.get(f"/api/registrations/manage/{webinar.manage_token}/qr.png")
    svg = api_client.get(f"/api/registrations/manage/{webinar.manage_token}/qr.svg")

    assert (png.status_code, png.data["code"]) == (404, "no_door_code")
    assert (svg.status_code, svg.data["code"]) == (404, "no_door_code")


def test_an_online_only_ticket_is_not_reissued(api_client):
    """Re-issue drew a new secret for a ticket that has no code at all."""
    webinar = make_registration(factories.WebinarFactory())
    secret = webinar.ticket_secret

    response = api_client.post(f"/api/registrations/manage/{webinar.manage_token}/reissue-ticket/")
    webinar.refresh_from_db()

    assert (response.status_code, response.data["code"]) == (404, "no_door_code")
    assert webinar.ticket_secret == secret


def test_a_reissued_ticket_is_said_in_the_readers_language(ticket, api_client):
    response = api_client.post(
        f"/api/registrations/manage/{ticket.manage_token}/reissue-ticket/", HTTP_ACCEPT_LANGUAGE="az"
    )

    assert response.status_code == 200
    assert response.json() == {"code": "reissued", "detail": "Yeni bilet verildi; köhnə kod artıq işləmir."}


def test_qr_endpoint_of_a_hybrid_ticket_serves_the_code(api_client):
    hybrid = make_registration(factories.EventFactory(format=EventFormat.HYBRID, join_url="https://meet.example.org/x"))

    response = api_client.get(f"/api/registrations/manage/{hybrid.manage_token}/qr.png")

    assert response.status_code == 200
    assert decode(Image.open(io.BytesIO(response.content))) == tickets.ticket_payload(hybrid)


def test_reissued_ticket_invalidates_old_code(ticket, event, staff_client, api_client):
    old_payload = tickets.ticket_payload(ticket)

    response = api_client.post(f"/api/registrations/manage/{ticket.manage_token}/reissue-ticket/")
    ticket.refresh_from_db()
    old_scan = staff_client.post(scan_url(event), {"secret": old_payload})
    new_png = api_client.get(f"/api/registrations/manage/{ticket.manage_token}/qr.png")
    new_scan = staff_client.post(scan_url(event), {"secret": decode(Image.open(io.BytesIO(new_png.content)))})

    assert response.status_code == 200
    assert tickets.ticket_payload(ticket) != old_payload
    assert old_scan.status_code == 400
    assert old_scan.data["code"] == "invalid"
    assert new_scan.data["code"] == "checked_in"


def test_qr_endpoint_is_throttled_per_client(ticket, api_client, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "token": "3/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    url = "/api/registrations/manage/guess-{}/qr.png"

    statuses = [api_client.get(url.format(attempt)).status_code for attempt in range(5)]

    cache.clear()
    assert statuses == [404, 404, 404, 429, 429]


@pytest.mark.parametrize("typed", ["evt1:{secret}", "{secret}", " {lower} ", "{dashed}"])
def test_secret_from_payload_accepts_typed_forms(ticket, typed):
    secret = ticket.ticket_secret
    text = typed.format(secret=secret, lower=secret.lower(), dashed="-".join([secret[:13], secret[13:]]))

    assert tickets.secret_from_payload(text) == secret


@pytest.mark.parametrize("text", ["", "EVT1:", "EVT1:SHORT", "EVT1:" + "0" * 26, "https://example.org/", "A" * 27])
def test_secret_from_payload_refuses_what_cannot_be_a_secret(text):
    assert tickets.secret_from_payload(text) is None

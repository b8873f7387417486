"""The API's own error texts speak the request's language: DRF's parse errors, the JSON parser's
limits, the exception handler's fallbacks, the NUL guard and unknown routes. The ``code`` and
the status stay the same in every language; only ``detail`` changes."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# (method, path, body, content type); bodies are sent as they are, not encoded by the client
REQUESTS = {
    "malformed json": ("post", "/api/events/", "{bad", "application/json"),
    "unsupported media type": ("post", "/api/events/", "title=x", "text/plain"),
    "json too deep": ("post", "/api/events/", "[" * 40 + "]" * 40, "application/json"),
    "nul in json": ("post", "/api/events/", '{"title": "a\\u0000b"}', "application/json"),
    "nul in the query": ("get", "/api/events/?search=%00", None, None),
    "body too large": ("post", "/api/events/", '{"title": "' + "x" * 3000 + '"}', "application/json"),
    "unknown event": ("get", "/api/events/99999999/", None, None),
    "unknown route": ("get", "/api/nowhere/", None, None),
    "unknown ordering": ("get", "/api/events/?ordering=-password", None, None),
}


def _answer(client, language, method, path, body, content_type):
    if body is None:
        response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE=language)
    else:
        response = getattr(client, method)(path, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, response.json()


@pytest.mark.parametrize("name", REQUESTS)
def test_an_api_error_is_told_in_azerbaijani_with_the_same_code(organiser, settings, name):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    client = Client()
    client.force_login(organiser)

    english = _answer(client, "en", *REQUESTS[name])
    azerbaijani = _answer(client, "az", *REQUESTS[name])

    assert english[0] == azerbaijani[0] and english[0] >= 400
    assert english[1]["code"] == azerbaijani[1]["code"]
    assert english[1]["detail"] != azerbaijani[1]["detail"], azerbaijani[1]["detail"]


def test_a_malformed_body_says_where_in_both_languages(organiser):
    client = Client()
    client.force_login(organiser)

    english = _answer(client, "en", *REQUESTS["malformed json"])[1]
    azerbaijani = _answer(client, "az", *REQUESTS["malformed json"])[1]

    assert english == {"detail": "The body is not valid JSON (line 1, column 2).", "code": "parse_error"}
    assert azerbaijani == {"detail": "Sorğunun məzmunu düzgün JSON deyil (sətir 1, sütun 2).", "code": "parse_error"}


def test_the_answers_that_are_not_errors_are_told_in_azerbaijani_too(organiser):
    from tests import factories

    series = factories.SeriesFactory(published=True)
    speaker = factories.SpeakerFactory(email="nigar@example.org")
    client = Client()
    client.force_login(organiser)

    certificate_link = Client().post(
        f"/api/attendance/series/{series.pk}/certificate-link/",
        {"email": "nobody@example.org"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="az",
    )
    account_link = client.post(f"/api/speakers/{speaker.pk}/account-link/", HTTP_ACCEPT_LANGUAGE="az")

    assert (certificate_link.status_code, account_link.status_code) == (202, 202)
    assert certificate_link.json()["detail"] == "Bu ünvan silsiləni tamamlayıbsa, sertifikat linki ona göndərilir."
    assert account_link.json()["detail"] == "Link məruzəçinin ünvanına göndərilir."


def test_the_serializers_own_refusals_are_told_in_azerbaijani(organiser):
    """An answer that is a list or an object, and an offline scan naming no ticket, were refused
    in English whatever the reader's language (plain strings, not marked for translation)."""
    from tests import factories

    event = factories.EventFactory(organisers=[organiser])
    client = Client()
    client.force_login(organiser)
    requests = [
        (
            f"/api/events/{event.pk}/registrations/",
            {"name": "Aysel", "email": "aysel@example.org", "answers": {"1": {"a": 1}}},
        ),
        (
            f"/api/events/{event.pk}/checkin/batch/",
            {"scans": [{"client_scan_id": "a", "scanned_at": "2026-12-05T11:00:00+04:00"}]},
        ),
    ]

    for path, body in requests:
        english = client.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        azerbaijani = client.post(path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="az")

        assert english.status_code == azerbaijani.status_code == 400, english.content
        assert english.json()["code"] == azerbaijani.json()["code"]
        assert english.json()["detail"] != azerbaijani.json()["detail"], azerbaijani.json()["detail"]


def test_an_unknown_ordering_names_what_was_asked_for_briefly(organiser):
    client = Client()
    client.force_login(organiser)

    detail = client.get("/api/events/", {"ordering": "x" * 3000 + ",-password"}).json()["detail"]

    assert "-password" in detail and "x" * 41 not in detail
    assert "start" in detail

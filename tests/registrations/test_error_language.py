"""Domain errors speak the language of the request: the same ``code``, the text in Azerbaijani
when the API caller or the page visitor asked for it."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from registrations.services import registration as services
from tests import factories
from tests.registrations.conftest import sign_up

pytestmark = pytest.mark.django_db

REJECTED_CANNOT_BE_CANCELLED = {
    "en": "A rejected registration cannot be cancelled.",
    "az": "Rədd edilmiş qeydiyyat ləğv edilə bilməz.",
}


@pytest.fixture
def rejected(organiser):
    event = factories.EventFactory(organisers=[organiser], registration_mode="approval", capacity=5)
    return services.reject_registration(registration=sign_up(event), by=organiser)


@pytest.mark.parametrize("language", ["en", "az"])
def test_the_api_answers_a_domain_error_in_the_asked_language_with_the_same_code(api_client, rejected, language):
    response = api_client.post(
        f"/api/registrations/manage/{rejected.manage_token}/cancel/", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 409
    assert response.json() == {"detail": REJECTED_CANNOT_BE_CANCELLED[language], "code": "invalid_transition"}


def test_a_message_with_values_is_translated_around_them(api_client, organiser):
    event = factories.EventFactory(organisers=[organiser], max_party_size=2)

    response = api_client.post(
        f"/api/events/{event.pk}/registrations/",
        {"name": "Aysel", "email": "aysel@example.org", "consent_data_processing": True, "party_size": 3},
        format="json",
        HTTP_ACCEPT_LANGUAGE="az",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "party_too_large"
    assert response.json()["detail"] == "Bu tədbirə bir qeydiyyatla ən çoxu 2 nəfər gələ bilər."


def test_the_page_refuses_in_azerbaijani(client, rejected):
    # the page offers no cancelling of a registration the service would refuse to cancel, and says why
    response = client.post(
        f"/registrations/manage/{rejected.manage_token}/cancel/", {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="az"
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Bu qeydiyyat artıq aktiv deyil." in page
    assert "This registration is no longer active." not in page
    rejected.refresh_from_db()
    assert rejected.status == "rejected"


def test_the_error_is_rendered_when_raised_not_when_shown():
    """A plain str by the time it leaves the service: JSON bodies, flash messages and stored rows
    never meet a lazy object, and the text is in the language active at the raise."""
    with translation.override("az"):
        error = services.InvalidRegistrationTransition(gettext_lazy(REJECTED_CANNOT_BE_CANCELLED["en"]))

    assert type(error.message) is str
    assert (error.message, str(error)) == (REJECTED_CANNOT_BE_CANCELLED["az"],) * 2

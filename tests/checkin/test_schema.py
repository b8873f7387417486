"""The door's endpoints are in the OpenAPI schema with their error answers."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_schema_documents_the_door():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    scan = schema["paths"]["/api/events/{event_id}/checkin/"]["post"]
    assert {"200", "400", "403", "404", "409", "429"} <= set(scan["responses"])
    assert "/api/events/{event_id}/checkin/batch/" in schema["paths"]
    assert "/api/registrations/manage/{token}/qr.png" in schema["paths"]
    assert (
        "image/png" in schema["paths"]["/api/registrations/manage/{token}/qr.png"]["get"]["responses"]["200"]["content"]
    )

"""The registration API's hand-checked input reads exactly as RegisterSerializer reads it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from registrations.models import Sector
from registrations.serializers import RegisterSerializer, _plain_registration, parse_registration

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.text(min_size=195, max_size=260),
    st.sampled_from(["", "  ", " academia ", "\x00", "\ud800", *Sector.values, "true", "2"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=7), st.dictionaries(st.text(max_size=3), SCALARS, max_size=3))
FIELDS = [
    "name",
    "email",
    "answers",
    "party_size",
    "party_names",
    "consent_data_processing",
    "consent_recording",
    "sector",
    "organisation",
    "invitation_code",
]
BODIES = st.dictionaries(st.sampled_from([*FIELDS, "unknown"]), VALUES, max_size=len(FIELDS))
TEXT = st.one_of(st.text(max_size=12), st.text(min_size=198, max_size=203), st.sampled_from([" a ", "", "\x00"]))
# bodies a form or a script would send: mostly the plain path, with its edges
PLAUSIBLE = st.fixed_dictionaries(
    {"name": TEXT, "email": TEXT, "consent_data_processing": st.booleans()},
    optional={
        "answers": st.dictionaries(st.text(max_size=3), st.one_of(st.booleans(), st.integers(), TEXT), max_size=3),
        "party_size": st.integers(min_value=0, max_value=12),
        "party_names": st.lists(TEXT, max_size=11),
        "consent_recording": st.one_of(st.none(), st.booleans()),
        "sector": st.sampled_from(["", "nowhere", *Sector.values]),
        "organisation": TEXT,
        "invitation_code": st.text(max_size=45),
    },
)


def serializer_answer(data):
    payload = RegisterSerializer(data=data)
    return dict(payload.validated_data) if payload.is_valid() else payload.errors


def parsed_or_errors(body):
    try:
        return dict(parse_registration(body))
    except ValidationError as error:
        return error.detail


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(BODIES, PLAUSIBLE))
def test_plain_input_reads_as_the_serializer_reads_it(body):
    assert parsed_or_errors(body) == serializer_answer(body)


def test_the_rush_shape_takes_the_plain_path():
    body = {
        "name": " Aysel Aliyeva ",
        "email": "aysel@example.org",
        "consent_data_processing": True,
        "answers": {"12": True, "13": 4, "14": "School No. 12"},
        "party_size": 2,
        "party_names": ["Leyla"],
        "sector": "academia",
    }

    assert _plain_registration(body) == serializer_answer(body)
    assert _plain_registration(body)["name"] == "Aysel Aliyeva"


@pytest.mark.parametrize(
    "body",
    [{"name": "A", "consent_data_processing": "true"}, {"name": "A", "party_size": "2"}, {"name": ["A"]}],
)
def test_coerced_input_goes_to_the_serializer(body):
    assert _plain_registration(body) is None
    assert parsed_or_errors(body) == serializer_answer(body)

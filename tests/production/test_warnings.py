"""The test run is free of deprecation warnings, and a new one from our own code fails it."""

import warnings

import pytest
from django import forms

from events.models import Event
from speakers.page_forms import SpeakerProfileForm


def test_a_deprecation_raised_by_our_code_fails_the_test():
    with pytest.raises(DeprecationWarning):
        warnings.warn("an old way of doing it", DeprecationWarning, stacklevel=1)
    with pytest.raises(PendingDeprecationWarning):
        warnings.warn("a soon old way", PendingDeprecationWarning, stacklevel=1)


def test_a_deprecation_raised_by_a_library_stays_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn_explicit("their old way", DeprecationWarning, "library.py", 1, module="somelibrary.module")

    assert [str(warning.message) for warning in caught] == ["their old way"]


def test_url_form_fields_assume_https_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        field = Event._meta.get_field("join_url").formfield()

    assert field.clean("zoom.us/j/123") == "https://zoom.us/j/123"
    assert field.clean("http://zoom.us/j/123") == "http://zoom.us/j/123"
    with pytest.raises(forms.ValidationError):
        field.clean("not a link")


@pytest.mark.django_db
def test_speaker_profile_form_still_takes_links_with_and_without_a_scheme():
    form = SpeakerProfileForm(
        data={"name": "Leyla", "website": "leyla.example.org", "linkedin_url": "https://linkedin.com/in/leyla"}
    )

    form.is_valid()

    assert "website" not in form.errors and "linkedin_url" not in form.errors
    assert form.cleaned_data["website"] == "https://leyla.example.org"

import pytest

from speakers.models import AssignmentStatus, Speaker, SpeakerAssignment, SpeakerRole

pytestmark = pytest.mark.django_db


def test_demo_roster_loads_twice_without_duplicates():
    from events import demo as events_demo
    from speakers import demo

    events_demo.load()
    demo.load()
    counts = (Speaker.objects.count(), SpeakerAssignment.objects.count())
    demo.load()

    assert (Speaker.objects.count(), SpeakerAssignment.objects.count()) == counts
    assert Speaker.objects.filter(roles__icontains=f'"{SpeakerRole.MENTOR}"').count() == 30
    assert Speaker.objects.count() == 70
    statuses = set(SpeakerAssignment.objects.values_list("status", flat=True))
    assert {AssignmentStatus.ACCEPTED, AssignmentStatus.INVITED, AssignmentStatus.DECLINED} <= statuses
    assert Speaker.objects.filter(user__username="speaker").exists()

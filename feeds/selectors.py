"""Who may see and change private calendar feeds: only their owner (an account).

A guest's feed (by email, no account) is reached only through its token; nobody lists it.
"""

from django.db.models import QuerySet

from feeds.models import CalendarFeed


def calendar_feeds_visible_to(user) -> QuerySet[CalendarFeed]:
    return calendar_feeds_managed_by(user)


def calendar_feeds_managed_by(user) -> QuerySet[CalendarFeed]:
    if not (user and user.is_authenticated):
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(user_id=user.pk).order_by("-created_at", "-id")

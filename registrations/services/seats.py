"""The one place where seats are handed out and given back.

``Event.seats_taken`` counts the seats held by confirmed and offered registrations. A seat is
taken with a single conditional UPDATE whose WHERE clause re-reads the row: on PostgreSQL a
concurrent writer waits for the row lock and then re-checks the condition, on SQLite the
IMMEDIATE transaction holds the write lock. "Count, then insert" would overbook;
``select_for_update`` is a no-op on SQLite. The check constraint ``seats_taken <= capacity`` on
Event is the backstop. Giving seats back needs no lock: an F() decrement.
"""

from django.db.models import F, Q

from events.models import Event


def take_seats(*, event_id: int, seats: int) -> bool:
    """Take ``seats`` seats if that many are left (always, for unlimited capacity)."""
    if seats <= 0:
        return True
    fits = Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity") - seats)
    return Event.objects.filter(fits, pk=event_id).update(seats_taken=F("seats_taken") + seats) == 1


def release_seats(*, event_id: int, seats: int) -> None:
    if seats > 0:
        Event.objects.filter(pk=event_id).update(seats_taken=F("seats_taken") - seats)

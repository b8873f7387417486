"""Signals other apps listen to, so that the models and services of `events` never import the apps above
it (its pages do read their selectors; the layers are declared in `.importlinter`).

Receivers are connected in each app's ``AppConfig.ready``:
- registrations cancels registrations of a cancelled event and tells registrants;
- speakers tells assigned speakers;
- programmes registers the cohorts that follow a published event;
- registrations and speakers tell of the changes of a series' sessions together (occurrences_changed);
- reminders move by themselves (registrations.services.reminders computes them from the event's time, so nothing to do).
"""

from django.dispatch import Signal

# sent inside the service's transaction; receivers queue side effects with on_commit.
# kwargs: event, changed_fields (set of names among start, end, venue, join details, status)
event_changed = Signal()
# kwargs: event, reason
event_cancelled = Signal()
# kwargs: event
event_published = Signal()

# The same for many sessions of one series at once (events.services._sync_occurrences: up to 400
# in one request); a receiver handles them together, in a few queries whatever their number.
# kwargs: events (a list)
occurrences_published = Signal()
# kwargs: events (a list), reason
occurrences_cancelled = Signal()
# kwargs: changes (a list of (event, frozenset of the changed field names)): the sessions a series
# edit changed, as event_changed tells of one
occurrences_changed = Signal()

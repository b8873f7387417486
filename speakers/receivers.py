"""Speakers hear of changes to their events (connected in SpeakersConfig.ready).

The signals are sent inside the event service's transaction; queue_message writes the
outbox row there and sends only after commit, so a rolled-back change tells nobody.
"""

from speakers import services

# Changes a speaker needs to hear about: when and where (or how to join).
SPEAKER_RELEVANT_FIELDS = frozenset(
    {"start", "end", "all_day", "timezone", "venue_name", "venue_address", "region", "city", "format", "join_url"}
)


def tell_speakers_of_change(sender, event, changed_fields, **kwargs):
    relevant = set(changed_fields) & SPEAKER_RELEVANT_FIELDS
    if relevant:
        services.tell_speakers_event_changed(event=event, changed_fields=relevant)


def tell_speakers_of_changes(sender, changes, **kwargs):
    """tell_speakers_of_change for the sessions a series edit changed, together."""
    relevant = [(event, set(changed_fields) & SPEAKER_RELEVANT_FIELDS) for event, changed_fields in changes]
    services.tell_speakers_events_changed(changes=[(event, fields) for event, fields in relevant if fields])


def tell_speakers_of_cancellation(sender, event, reason="", **kwargs):
    services.tell_speakers_event_cancelled(event=event, reason=reason)


def tell_speakers_of_cancellations(sender, events, reason="", **kwargs):
    services.tell_speakers_events_cancelled(events=events, reason=reason)

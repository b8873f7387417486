"""Who may work the door, and how door devices sign in.

Rights are per event (``events.selectors.events_checked_in_by``: the event's organisers and its
check-in staff); the scan checks them inside its one lookup query
(``registrations.checkin.services``), the other door endpoints with ``event_for_check_in``.
"""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from drf_spectacular.authentication import TokenScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from events_project import prepared
from events_project.throttles import ScopedRateThrottle


class DoorTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, the token and its user read in one hand-written join.

    A scanning device sends its token with every scan; building the ORM's select_related
    query for it cost more than the rest of the check-in, so the door reads it directly.
    Same rules as DRF: unknown token or inactive user is refused.
    """

    def authenticate_credentials(self, key):
        sql, attnames = _token_sql(connection.vendor)
        with connection.cursor() as cursor:
            prepared.execute(cursor, name="door_token", sql=sql, types=["varchar"], params=[key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        # the fields the door uses; any other is loaded on first access, like .only()
        user = get_user_model().from_db(connection.alias, attnames, row)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, key


@functools.cache
def _token_sql(vendor: str) -> tuple[str, list[str]]:
    """The token's user by key, and the attnames of the columns it reads (in the model's field
    order, as from_db() expects the values)."""
    user_model = get_user_model()
    fields = [field for field in user_model._meta.concrete_fields if field.name in DOOR_USER_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    sql = (
        f"SELECT {columns} FROM {quote(Token._meta.db_table)} t"
        f" JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.user_id"
        f" WHERE t.{quote(Token._meta.pk.column)} = %s"
    )
    return sql, [field.attname for field in fields]


# everything the door reads of a user: rights, throttling key, names for "checked in by"
DOOR_USER_FIELDS = ["id", "username", "first_name", "last_name", "is_active", "is_staff", "is_superuser"]
# token first: devices send one with every scan, and a missing one is answered 401
DOOR_AUTHENTICATION = [DoorTokenAuthentication, SessionAuthentication]


class GuessThrottle(ScopedRateThrottle):
    """Counts only scans answered ``invalid``, per staff account, at the ``token`` rate.

    A door in a rush scans hundreds of good tickets a minute and must never be slowed; someone
    trying codes produces nothing but ``invalid`` answers, and those are what is limited.
    The happy path pays nothing for it.
    """

    # the scope offline batches count in: the same budget as the scan endpoint's
    guess_scope = "token"

    def count_guess(self, request, view) -> None:
        """Count one ``invalid`` answer (the view's ``throttle_scope``); 429 once over the rate."""
        if not self.allow_request(request, view):
            raise exceptions.Throttled(self.wait())

    def _start(self, request) -> bool:
        """Set up the guess counter of this account; False when guesses are not limited."""
        self.scope = self.guess_scope
        self.rate = self.get_rate()
        if self.rate is None:
            return False
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        return self.key is not None

    def guesses_left(self, request) -> int | None:
        """How many unknown codes this account may still try now (None: no limit)."""
        if not self._start(request):
            return None
        return max(self.num_requests - self.used(), 0)

    def count_guesses(self, request, number: int) -> None:
        """Count ``number`` unknown codes at once (an offline batch), without refusing anything."""
        if number > 0 and self._start(request):
            self.count(number)


class StaffThrottle(ScopedRateThrottle):
    """Staff are signed in and authorised per event, and a secret has 130 random bits, so
    guessing is hopeless; the per-account limit bounds what a stolen staff login can do."""

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope) or self.THROTTLE_RATES["user"]


class DoorTokenScheme(TokenScheme):
    """The same ``Authorization: Token <key>`` header as the rest of the API, in the schema."""

    target_class = DoorTokenAuthentication
    name = "doorTokenAuth"
    match_subclasses = False
    priority = 0

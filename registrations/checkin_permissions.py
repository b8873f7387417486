"""Who may work the door, and how door devices sign in.

Rights are per event (``events.permissions.can_check_in``: the event's organisers and its
check-in staff); the scan checks them inside its one lookup query
(``registrations.services.checkin``), the other door endpoints with ``event_for_check_in``.
"""

from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle


class DoorTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, the token and its user read in one hand-written join.

    A scanning device sends its token with every scan; building the ORM's select_related
    query for it cost more than the rest of the check-in, so the door reads it directly.
    Same rules as DRF: unknown token or inactive user is refused.
    """

    def authenticate_credentials(self, key):
        user_model = get_user_model()
        columns = ", ".join(f"u.{field.column}" for field in user_model._meta.concrete_fields)
        sql = (
            f"SELECT {columns} FROM {Token._meta.db_table} t"
            f" JOIN {user_model._meta.db_table} u ON u.{user_model._meta.pk.column} = t.user_id WHERE t.key = %s"
        )
        found = list(user_model.objects.raw(sql, [key]))
        if not found:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user = found[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return user, key


DOOR_AUTHENTICATION = [SessionAuthentication, DoorTokenAuthentication]


class StaffThrottle(ScopedRateThrottle):
    """Staff are signed in and authorised per event, and a secret has 130 random bits, so
    guessing is hopeless; the per-account limit bounds what a stolen staff login can do."""

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope) or self.THROTTLE_RATES["user"]

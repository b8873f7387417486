"""Signing in for the API: username and password in, a token out, rate-limited and locked out.

The token endpoint is where passwords get guessed, so it has the strict ``login`` throttle
(per client address) on top of the global ones, and django-axes' lockout like every other
sign-in path (settings: AXES_*); :func:`lockout_response` is the answer of a locked-out sign-in.
A new password ends the API tokens given for the old one (:func:`forget_tokens_of_old_password`).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle


def client_address(request) -> str | None:
    """The address the lockout's (username, address) pair counts (AXES_CLIENT_IP_CALLABLE): the
    client's, as the rate limits tell it (``NUM_PROXIES`` hops of X-Forwarded-For trusted, none
    by default). Axes read REMOTE_ADDR alone, so behind the proxy every sign-in came from the
    proxy: five wrong passwords from anywhere locked an account out for everyone."""
    return BaseThrottle().get_ident(request)


TokenSerializer = inline_serializer(name="AuthToken", fields={"token": serializers.CharField()})


class ObtainTokenView(ObtainAuthToken):
    # a stale token in the header must not stop someone from signing in again
    authentication_classes = ()
    # DRF's ObtainAuthToken names DRF's own parsers, which let a deeply nested body raise
    # RecursionError (a 500): the project's bounded parsers, as on every other endpoint
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def get_serializer_context(self):
        # Django's request, not DRF's wrapper: axes marks a locked-out sign-in on the request
        # it is given, and its middleware reads the mark from Django's
        return {"request": self.request._request, "format": self.format_kwarg, "view": self}

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer, **error_responses(400, 429)})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        # a sign-in like any other: the lockout's failure count starts over, last_login is set
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token.key})


def forget_tokens_of_old_password(sender, instance, created, **kwargs) -> None:
    """A ``post_save`` of the user model: once a new password is stored (the password change and
    reset pages, the admin, ``changepassword``: every way goes through ``set_password``, which
    keeps the new one in ``_password`` until the save that stores it), the account's API token is
    deleted. Django signs out the account's other sessions on a new password, but a DRF token
    outlives it: someone who had taken the token kept the account after its owner changed the
    password. The owner's own clients sign in again (``POST /api/auth/token/`` gives a new token).
    Django's rehash of a password on sign-in (a new hasher) clears ``_password`` first, so it
    revokes nothing."""
    if not created and getattr(instance, "_password", None) is not None:
        Token.objects.filter(user_id=instance.pk).delete()


def lockout_response(request, original_response=None, credentials=None):
    """Too many failed sign-ins for this username from this address: 429, the API's error shape
    under /api/, else the site's page, both with Retry-After."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, -(-seconds // 60))
    if request.path.startswith("/api/"):
        detail = ngettext(
            "Too many failed sign-in attempts. Try again in %(minutes)s minute.",
            "Too many failed sign-in attempts. Try again in %(minutes)s minutes.",
            minutes,
        ) % {"minutes": minutes}
        response = JsonResponse({"detail": detail, "code": "locked_out"}, status=429)
    else:
        response = render(request, "locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


obtain_token = ObtainTokenView.as_view()

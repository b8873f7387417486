"""Signing in for the API: username and password in, a token out, rate-limited.

The token endpoint is where passwords get guessed, so it has the strict ``login`` throttle
(per client address) on top of the global ones.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle

from events_project.schema import error_responses

TokenSerializer = inline_serializer(name="AuthToken", fields={"token": serializers.CharField()})


class ObtainTokenView(ObtainAuthToken):
    # a stale token in the header must not stop someone from signing in again
    authentication_classes = ()
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer, **error_responses(400, 429)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


obtain_token = ObtainTokenView.as_view()

"""People's own data (GDPR): download a copy as JSON, or erase it.

Signed-in people use /api/me/data/; guests use their registration's private management link.
Thin: each view calls one service in ``registrations.services.privacy``.
"""

from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle
from registrations import selectors
from registrations.services import privacy

ErasedSerializer = inline_serializer(
    name="ErasedData",
    fields={
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "erased": serializers.DictField(child=serializers.IntegerField()),
    },
)


def _download(data: dict, filename: str) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _erased(counts: dict) -> Response:
    return Response({"code": "erased", "detail": "Your personal data was erased.", "erased": counts})


class MyDataView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Download my data (JSON)",
        responses={(200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT), **error_responses(401, 403)},
    )
    def get(self, request):
        return _download(privacy.export_personal_data(user=request.user), "my-data.json")

    @extend_schema(
        summary="Erase my data and close my account",
        description=(
            "Upcoming registrations are cancelled; past ones are anonymised and kept for statistics. "
            "Refused (409 `sole_organiser`) while you alone organise an event still to come."
        ),
        request=None,
        responses={200: ErasedSerializer, **error_responses(401, 403, 409)},
    )
    def delete(self, request):
        return _erased(privacy.erase_personal_data(user=request.user))


class RegistrationDataView(APIView):
    """The management token is the credential, so guessing is throttled."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def registration(self):
        registration = selectors.registration_by_manage_token(self.kwargs["token"])
        if registration is None:
            raise Http404
        return registration

    @extend_schema(
        summary="Download this registration's data (JSON)",
        responses={(200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT), **error_responses(404, 429)},
    )
    def get(self, request, token):
        return _download(privacy.export_registration_data(registration=self.registration()), "my-registration.json")

    @extend_schema(
        summary="Erase this registration's personal data",
        description="Cancels it if the event is still to come; the management link stops working.",
        request=None,
        responses={200: ErasedSerializer, **error_responses(404, 429)},
    )
    def delete(self, request, token):
        return _erased(privacy.erase_registration_data(registration=self.registration()))

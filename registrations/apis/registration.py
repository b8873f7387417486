"""Registration API: register, organisers' lists and actions, the private management link, my registrations.

Thin: parse, call one service, render. Registrations are reached by their private management
token, by the owner's account, or by the event's organisers; anyone else gets 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from events import selectors as event_selectors
from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle
from notifications.language import request_language
from registrations import selectors
from registrations.filters import MyRegistrationFilter, RegistrationFilter
from registrations.models import Registration
from registrations.permissions import OrganisesTheEvent
from registrations.serializers import (
    AlreadyRegisteredSerializer,
    AttendanceDecisionSerializer,
    OrganiserAddSerializer,
    OwnRegistrationSerializer,
    ReasonSerializer,
    RegisterSerializer,
    RegistrationSerializer,
    RegistrationSummarySerializer,
    TransferSerializer,
    own_registration_data,
    parse_registration,
)
from registrations.services import attendance as attendance_services
from registrations.services import registration as services

ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


def _transferable(registration: Registration) -> Registration:
    """The place's refusal before its body is read: a seat that can no longer be passed on (the
    event over or cancelled, not an invitation's) is said so, not that the colleague's name is
    missing (``services.transfer_refusal``, which the service asks again under its lock)."""
    refusal = services.transfer_refusal(registration)
    if refusal is not None:
        raise refusal
    return registration


class EventNested:
    """For routes under /events/{event_id}/: the event, if the user may see it (else 404)."""

    @cached_property
    def event(self):
        return get_object_or_404(event_selectors.events_visible_to(self.request.user), pk=self.kwargs["event_id"])


def registered_response(result: services.Registered, request) -> Response:
    """201 with the new registration, or 200 with code ``already_registered``.

    Anyone can type someone else's address, so the answer for an address that holds a
    registration already says nothing about it (not its status, nor its place on the waiting
    list: the same body whatever they are); the service emailed its private link to that
    address. Only its signed-in owner (``services.owns``) is told its status and details.
    """
    registration = result.registration
    if not result.already:
        return Response(own_registration_data(registration), status=status.HTTP_201_CREATED)
    if services.owns(request.user, registration):
        body = {
            "code": "already_registered",
            "detail": _("You are already registered for this event."),
            "status": registration.status,
            "registration": OwnRegistrationSerializer(registration).data,
        }
        return Response(body, status=status.HTTP_200_OK)
    body = {
        "code": "already_registered",
        # the page's words for the same answer, in the request's language
        "detail": _(
            "This email address is already registered for this event. We have emailed its private link to it again."
        ),
    }
    return Response(body, status=status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary="An event's registrations (organisers)",
        responses={200: RegistrationSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One registration (organisers)", responses={200: RegistrationSerializer, **error_responses(403, 404)}
    ),
)
class EventRegistrationViewSet(EventNested, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Register for an event (anyone), and the organisers' view of its registrations."""

    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    ordering_fields = ["created_at", "name", "waiting_since", "status"]
    ordering = ["created_at", "id"]

    def get_permissions(self):
        if self.action == "create":
            return [permissions.AllowAny()]
        return [OrganisesTheEvent()]

    @property
    def throttle_scope(self):
        return "register" if self.action == "create" else None

    def get_throttles(self):
        if self.action == "create":
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return selectors.registrations_for_event(self.event, of=selectors.registrations_managed_by(self.request.user))

    @extend_schema(
        summary="Register for an event",
        request=RegisterSerializer,
        responses={
            201: OwnRegistrationSerializer,
            200: OpenApiResponse(
                AlreadyRegisteredSerializer,
                description="The address holds a registration already: nothing new, its private link emailed"
                " to it; status and details only for its signed-in owner",
            ),
            **error_responses(400, 404, 409, 429),
        },
    )
    def create(self, request, event_id=None):
        data = parse_registration(request.data)
        user = request.user if request.user.is_authenticated else None
        # the event is read inside the registration's transaction (one commit per registration)
        result = services.register_for_event(
            event_id=event_id,
            user=user,
            name=data["name"],
            email=data["email"],
            answers=data["answers"],
            party_size=data["party_size"],
            party_names=data["party_names"],
            consent_data_processing=data["consent_data_processing"],
            consent_recording=data["consent_recording"],
            sector=data["sector"],
            organisation=data["organisation"],
            invitation_code=data["invitation_code"] or None,
            language=request_language(request),
        )
        return registered_response(result, request)

    @extend_schema(
        summary="Counts, seats and the sector balance (organisers)",
        responses={200: RegistrationSummarySerializer, **error_responses(403, 404)},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, event_id=None):
        event = self.event
        event.refresh_from_db(fields=["seats_taken", "capacity"])
        body = {
            "capacity": event.capacity,
            "seats_taken": event.seats_taken,
            "seats_left": event.seats_left,
            "counts": selectors.status_counts(event),
            "sectors": selectors.sector_balance(event),
            "rsvp_deadline": event.rsvp_deadline,
        }
        return Response(RegistrationSummarySerializer(body).data)

    @extend_schema(
        summary="Add a person by hand (organisers)",
        request=OrganiserAddSerializer,
        responses={201: RegistrationSerializer, 200: AlreadyRegisteredSerializer, **ACTION_ERRORS},
    )
    @action(detail=False, methods=["post"])
    def add(self, request, event_id=None):
        payload = OrganiserAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["invitation_code"] = None
        result = services.add_registration(event=self.event, by=request.user, **data)
        registration = result.registration
        if result.already:
            body = {"code": "already_registered", "detail": "Already registered.", "status": registration.status}
            return Response({**body, "registration": RegistrationSerializer(registration).data})
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    def _act(self, service, **arguments):
        registration = service(registration=self.get_object(), **arguments)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        summary="Approve (organisers)", request=None, responses={200: RegistrationSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, event_id=None, pk=None):
        return self._act(services.approve_registration, by=request.user)

    @extend_schema(
        summary="Reject (organisers)",
        request=ReasonSerializer,
        responses={200: RegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, event_id=None, pk=None):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(services.reject_registration, by=request.user, reason=payload.validated_data["reason"])

    @extend_schema(
        summary="Cancel (organisers)",
        request=ReasonSerializer,
        responses={200: RegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, event_id=None, pk=None):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(services.cancel_registration, by=request.user, reason=payload.validated_data["reason"])

    @extend_schema(
        summary="Record whether the person came, by hand (organisers)",
        description="Once the event has begun, for a confirmed registration: `attended` or `no_show` stands against "
        "the door, finalisation and participant reports (`attendance_by_hand`); `unknown` hands it back to them. "
        "Sends nothing. 409 `event_not_started`, `not_confirmed`.",
        request=AttendanceDecisionSerializer,
        responses={200: RegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, event_id=None, pk=None):
        payload = AttendanceDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._act(
            attendance_services.decide_attendance, by=request.user, attendance=payload.validated_data["attendance"]
        )

    @extend_schema(
        summary="Move off the waiting list, out of order (organisers)",
        request=None,
        responses={200: RegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, event_id=None, pk=None):
        return self._act(services.promote_registration, by=request.user)

    @extend_schema(
        summary="Pass an invited delegate's place to a colleague (organisers)",
        request=TransferSerializer,
        responses={201: RegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, event_id=None, pk=None):
        registration = _transferable(self.get_object())
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        substitute = services.transfer_registration(
            registration=registration, by=request.user, **payload.validated_data
        )
        return Response(RegistrationSerializer(substitute).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="My registration, by its private link",
        responses={200: OwnRegistrationSerializer, **error_responses(404, 429)},
    )
)
class ManageRegistrationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The private management link: whoever holds the token is the registrant."""

    serializer_class = OwnRegistrationSerializer
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    lookup_field = "manage_token"
    lookup_url_kwarg = "token"
    lookup_value_converter = "str"

    def get_object(self):
        registration = selectors.registration_by_manage_token(self.kwargs["token"])
        if registration is None:
            raise Http404
        return registration

    @extend_schema(
        summary="Cancel my registration", request=None, responses={200: OwnRegistrationSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, token=None):
        registration = services.cancel_registration(registration=self.get_object())
        return Response(self.get_serializer(registration).data)

    @extend_schema(
        summary="Take the seat offered to me", request=None, responses={200: OwnRegistrationSerializer, **ACTION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, token=None):
        registration = services.accept_offer(registration=self.get_object())
        return Response(self.get_serializer(registration).data)

    @extend_schema(
        summary="Pass my invitation to a named colleague",
        request=TransferSerializer,
        responses={201: OwnRegistrationSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, token=None):
        registration = _transferable(self.get_object())
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        substitute = services.transfer_registration(registration=registration, **payload.validated_data)
        # the colleague gets their own link by email; the delegate sees only that it worked
        return Response(
            {
                "code": "transferred",
                "detail": _("Your seat now belongs to %(name)s, who receives a ticket by email.")
                % {"name": substitute.name},
                "status": "cancelled",
            },
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="My registrations (signed in)",
        responses={200: OwnRegistrationSerializer(many=True), **error_responses(400, 401, 403)},
    )
)
class MyRegistrationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = OwnRegistrationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = MyRegistrationFilter
    ordering_fields = ["event__start", "created_at"]

    def get_queryset(self):
        return selectors.registrations_of_user(self.request.user).prefetch_related("answers__question")

    def get_serializer_context(self):
        # a position costs a query; lists leave it out (the management link shows it)
        return {**super().get_serializer_context(), "with_position": False}

"""Check-in API: tickets' QR images, scans at the door, manual and walk-in check-in, offline batches.

Views parse, call one service in ``registrations.checkin.services`` / ``tickets`` and render.
Rights are per event (organisers and check-in staff, ``events.selectors.events_checked_in_by``,
through ``door.event_for_check_in``), and the rows each endpoint reads come from the selectors
``checkins_visible_to`` / ``checkins_managed_by`` / ``registrations_at_doors_of``; the scan
endpoint checks the same rule inside its single lookup query (see the service).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from events_project.exceptions import NotFound
from events_project.negotiation import is_json, unsupported
from events_project.pagination import PageNumberPagination
from events_project.parsers import JSONParser
from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle
from registrations.checkin import serializers as shapes
from registrations.checkin import services as door
from registrations.checkin.permissions import DOOR_AUTHENTICATION, GuessThrottle, StaffThrottle
from registrations.models import CheckIn, Registration, RegistrationStatus
from registrations.selectors import checkins_managed_by, registrations_at_doors_of
from registrations.services import tickets

SCAN_ERRORS = error_responses(400, 401, 403, 404, 409, 429)


class DoorView(APIView):
    authentication_classes = DOOR_AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [StaffThrottle]
    throttle_scope = "user"

    def event(self):
        return door.event_for_check_in(event_id=self.kwargs["event_id"], user=self.request.user)


def _checked_in_body(checkin: CheckIn) -> dict:
    return {
        "code": door.CHECKED_IN,
        "detail": "Checked in.",
        "checkin": shapes.checkin_data(checkin),
        "registration": door.registration_summary(checkin.registration),
    }


class JsonOnly(BaseContentNegotiation):
    """Scanning devices speak JSON; negotiating costs a tenth of a scan, so a string comparison
    stands for DRF's media-type parsing. Any other body is a 415, as everywhere in the API
    (events_project.negotiation), not a 400 "not valid JSON"."""

    def select_parser(self, request, parsers):
        if is_json(request.content_type):
            return parsers[0]
        raise unsupported(request, parsers)

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ScanView(DoorView):
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    # good scans are never limited; answers of `invalid` are (GuessThrottle, scope "token")
    throttle_classes = []
    throttle_scope = "token"

    @extend_schema(
        request=shapes.ScanSerializer,
        responses={200: shapes.CheckInResultSerializer, **SCAN_ERRORS},
        summary="Check in a scanned ticket",
        description="Answers `checked_in` (200) or an error whose `code` is `already_checked_in` (with "
        "`checked_in_at`, `checked_in_by`, `device`), `wrong_event`, `door_closed` (with `opens_at`, "
        "`closes_at`: the door is open from a day before the event starts to a day after it ends), "
        "`no_door` (an online-only event), `cancelled`, `not_confirmed` (409), `invalid` (400: a code no ticket "
        "holds: forged, altered or re-issued; the only answer counted against the guessing limit), `not_a_ticket` "
        "(400: what was sent cannot be a ticket code at all, such as another QR code or a link; `invalid` before), "
        "`empty_code` (400: the secret is blank) or `malformed_scan` (400, with `errors` by field: the body is not "
        "a scan: not a JSON object, `secret` missing or not a string, `device` not a string or over 100 characters; "
        "a client's bug, not a guess, so not counted against the guessing limit; `invalid` with `errors` before). "
        "After the event's attendance was finalised (the door is open a "
        "day after the end) a check-in is recorded as attended at once.",
    )
    def post(self, request, event_id):
        try:
            secret, device = shapes.parse_scan(request.data)
        except serializers.ValidationError as error:
            # rights first, as every route under an object: a stranger learns nothing of this door
            self.event()
            # the client's bug, not a guess at a ticket: its own code, and the guessing limit untouched
            raise door.CheckInRefused(door.MALFORMED_SCAN, extra={"errors": error.detail}) from None
        try:
            checkin = door.check_in(event_id=event_id, secret=secret, by=request.user, device=device)
        except door.CheckInRefused as refusal:
            if refusal.code == door.INVALID:
                GuessThrottle().count_guess(request, self)
            raise
        return Response(_checked_in_body(checkin))


class ManualCheckInView(DoorView):
    @extend_schema(
        request=shapes.ManualCheckInSerializer,
        responses={200: shapes.CheckInResultSerializer, **SCAN_ERRORS},
        summary="Check in a registration found by name or email",
        description="The same answers as a scan, `door_closed` and `no_door` included.",
    )
    def post(self, request, event_id):
        event = self.event()
        payload = shapes.ManualCheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = (
            registrations_at_doors_of(request.user)
            .filter(event=event, pk=payload.validated_data["registration"])
            .first()
        )
        if registration is None:
            raise NotFound(_("No such registration for this event."), "not_found")
        checkin = door.check_in_registration(
            event=event, registration=registration, by=request.user, device=payload.validated_data["device"]
        )
        return Response(_checked_in_body(checkin))


class WalkInView(DoorView):
    @extend_schema(
        request=shapes.WalkInSerializer,
        responses={201: shapes.CheckInResultSerializer, **SCAN_ERRORS},
        summary="Register a walk-in and check them in in one step",
        description="Fails with `event_full` (409) when no seat is left (walk-ins never wait), and with "
        "`door_closed` (409) outside a day before the event starts to a day after it ends, and with `no_door` (409) "
        "at an online-only event.",
    )
    def post(self, request, event_id):
        event = self.event()
        payload = shapes.WalkInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        checkin = door.check_in_walk_in(
            event=event,
            by=request.user,
            device=data["device"],
            name=data["name"],
            email=data["email"],
            party_size=data["party_size"],
        )
        return Response(_checked_in_body(checkin), status=status.HTTP_201_CREATED)


class UndoView(DoorView):
    @extend_schema(
        request=None,
        responses={200: shapes.CheckInSerializer, **error_responses(401, 403, 404, 409, 429)},
        summary="Undo a mistaken check-in",
        description="Only while the door is open (a day before the event to a day after it): `door_closed` (409); "
        "and only until the event's attendance is finalised: `attendance_final` (409). Refused, the check-in stands.",
    )
    def post(self, request, event_id, checkin_id):
        event = self.event()
        checkin = get_object_or_404(checkins_managed_by(request.user), event=event, pk=checkin_id)
        checkin = door.undo_door_check_in(checkin=checkin, by=request.user)
        return Response(shapes.CheckInSerializer(checkin).data)


class CountsView(DoorView):
    @extend_schema(responses={200: shapes.DoorCountsSerializer, **error_responses(401, 403, 404, 429)})
    def get(self, request, event_id):
        return Response(shapes.DoorCountsSerializer(door.door_counts(event=self.event())).data)


class DoorListView(generics.ListAPIView):
    authentication_classes = DOOR_AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [StaffThrottle]
    throttle_scope = "user"
    filterset_fields = ["status"]
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def event(self):
        return door.event_for_check_in(event_id=self.kwargs["event_id"], user=self.request.user)


@extend_schema(
    parameters=[OpenApiParameter("q", str, description="Part of the name or email address.")],
    responses={200: shapes.SearchResultSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    summary="Find registrations by name or email for manual check-in",
)
class SearchView(DoorListView):
    serializer_class = shapes.SearchResultSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return door.search_registrations(
            event=self.event(), query=self.request.query_params.get("q", ""), user=self.request.user
        )


@extend_schema(
    responses={200: shapes.CheckInSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    summary="Every check-in of the event: who, when, which device, how (undone ones included)",
)
class CheckInLogView(DoorListView):
    serializer_class = shapes.CheckInSerializer
    filterset_fields = ["source", "device"]
    ordering_fields = ["checked_in_at", "id"]
    ordering = ["-checked_in_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        return door.checkin_log(event=self.event(), user=self.request.user)


class OfflineListPagination(PageNumberPagination):
    """A device downloads the whole door list; big pages keep that to a few requests."""

    page_size = 500
    max_page_size = 2000


@extend_schema(
    responses={200: shapes.CheckInListEntrySerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    summary="The event's check-in list for offline devices",
    description="Each registration with `ticket_hash` = SHA-256 (hex) of its ticket secret: a device hashes "
    "what it scans and looks it up. Secrets themselves are never sent.",
)
class OfflineListView(DoorListView):
    serializer_class = shapes.CheckInListEntrySerializer
    pagination_class = OfflineListPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return door.checkin_list(event=self.event(), user=self.request.user)


class OfflineBatchView(DoorView):
    @extend_schema(
        request=shapes.OfflineBatchSerializer,
        responses={200: shapes.OfflineBatchResultSerializer, **error_responses(400, 401, 403, 404, 429)},
        summary="Upload the scans an offline device made",
        description="Each scan names its ticket by the scanned `secret`, or, for a person found by name in "
        "the downloaded list, by `registration` id (or `ticket_hash`). Idempotent on (`device`, "
        "`client_scan_id`, ticket); every scan gets its own `code` as for a live scan, plus `unknown_registration` "
        "(a `registration` id this event no longer has: download the list again), `bad_scan_time` "
        "(dated outside a day before the start to a day after the end, or ahead of the server's clock) and "
        "`throttled`: unknown codes count against the ticket-guessing limit, and once it is spent the "
        "remaining codes are not tried (send them again later).",
    )
    def post(self, request, event_id):
        event = self.event()
        payload = shapes.OfflineBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        guesses = GuessThrottle()
        results = door.record_offline_scans(
            event=event,
            by=request.user,
            device=payload.validated_data["device"],
            scans=payload.validated_data["scans"],
            guesses_left=guesses.guesses_left(request),
        )
        guesses.count_guesses(request, sum(1 for result in results if result.guessed))
        summary = door.batch_summary(results)
        return Response({"results": [result.as_dict() for result in results], "summary": summary})


# --- the ticket itself, reached through the registration's private management token ------


class TicketView(APIView):
    """Anyone holding the management token: the token is the credential, so guessing is throttled."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def ticket(self) -> Registration:
        registration = Registration.objects.filter(manage_token=self.kwargs["token"]).first()
        if registration is None:
            raise NotFound(_("No such registration."), "not_found")
        if registration.status != RegistrationStatus.CONFIRMED:
            raise NotFound(_("This registration has no ticket: it is not confirmed."), "no_ticket")
        return registration

    def door_code(self) -> Registration:
        """The ticket whose QR code is asked for: an online-only event has no door, so no code."""
        return tickets.require_door_code(self.ticket())


def _image(content, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # the image is the ticket: keep it out of shared caches and browser history
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class TicketPngView(TicketView):
    @extend_schema(
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(404, 429)},
        summary="The ticket's QR code as PNG",
    )
    def get(self, request, token):
        return _image(tickets.qr_png(registration=self.door_code()), "image/png")


class TicketSvgView(TicketView):
    @extend_schema(
        responses={(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR), **error_responses(404, 429)},
        summary="The ticket's QR code as SVG",
    )
    def get(self, request, token):
        return _image(tickets.qr_svg(registration=self.door_code()), "image/svg+xml")


class TicketReissueView(TicketView):
    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, **error_responses(404, 429)},
        summary="Re-issue the ticket: the old QR code stops working (404 no_door_code when online only)",
    )
    def post(self, request, token):
        tickets.reissue_ticket(registration=self.ticket(), by=None)
        return Response({"code": "reissued", "detail": _("A new ticket was issued; the old code no longer works.")})

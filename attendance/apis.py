"""Organisers' attendance imports and figures; participants' certificates of attendance."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors
from attendance.exceptions import Conflict, DomainError
from attendance.filters import AttendanceImportFilter
from attendance.models import AttendanceImport
from attendance.permissions import IsOrganiser
from attendance.serializers import (
    AttendanceImportSerializer,
    AttendanceUploadSerializer,
    EventAttendanceFiguresSerializer,
    FinaliseAttendanceSerializer,
    SeriesAttendanceFiguresSerializer,
)
from attendance.services import figures, finalisation, participant_reports
from events.permissions import event_to_manage, series_to_manage
from events_project.parsers import FormParser, JSONParser, MultiPartParser
from events_project.schema import error_responses

READ_ERRORS = error_responses(401, 403, 404)
# a list or figures read from the query string (a filter, an ordering, a threshold): a bad one is a 400
QUERY_ERRORS = error_responses(400, 401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)
PDF = OpenApiTypes.BINARY


@extend_schema_view(
    list=extend_schema(responses={200: AttendanceImportSerializer(many=True), **QUERY_ERRORS}),
    retrieve=extend_schema(responses={200: AttendanceImportSerializer, **READ_ERRORS}),
)
class AttendanceImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webinar participant reports (Zoom, Microsoft Teams, name,email,duration) and their results."""

    permission_classes = [IsOrganiser]
    serializer_class = AttendanceImportSerializer
    filterset_class = AttendanceImportFilter
    ordering = ["-created_at", "-id"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.imports_visible_to(self.request.user)

    @extend_schema(
        request={"multipart/form-data": AttendanceUploadSerializer},
        responses={
            202: AttendanceImportSerializer,
            200: AttendanceImportSerializer,
            **WRITE_ERRORS,
        },
        description="Upload a participant report. 202: queued (poll the import); 200: this file was uploaded before.",
    )
    def create(self, request, *args, **kwargs):
        payload = AttendanceUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        event = event_to_manage(request.user, data["event"])
        upload = data["file"]
        if upload.size > participant_reports.MAX_REPORT_BYTES:
            raise DomainError(_("A participant report is at most 5 MB."), "file_too_large")
        report, created = participant_reports.upload_participant_report(
            event=event,
            content=upload.read(),
            filename=upload.name or "",
            by=request.user,
            format=data["format"],
            threshold_percent=data["threshold_percent"],
            send_corrections=data["send_corrections"],
        )
        report.refresh_from_db()
        return Response(
            AttendanceImportSerializer(report).data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request=None,
        responses={202: AttendanceImportSerializer, **WRITE_ERRORS},
        description="Run a failed import, or one whose job was lost, again with the same file "
        "(409 import_not_retryable when it is done or waiting for the organiser's check).",
    )
    # takes no body: a client's `{}` is read as anywhere in the API (only an upload is multipart)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser, MultiPartParser])
    def retry(self, request, pk=None):
        report = get_object_or_404(selectors.imports_managed_by(request.user).defer(None), pk=pk)
        if report.status in (AttendanceImport.Status.DONE, AttendanceImport.Status.PREVIEW):
            raise Conflict(_("Only a failed or unfinished import is run again."), "import_not_retryable")
        report = participant_reports.retry_import(report=report)
        return Response(AttendanceImportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class EventAttendanceView(APIView):
    """Registered, attended, no-show and the attendance rate of one event you organise."""

    permission_classes = [IsOrganiser]

    @extend_schema(responses={200: EventAttendanceFiguresSerializer, **READ_ERRORS})
    def get(self, request, event_id: int):
        event = event_to_manage(request.user, event_id)
        return Response(EventAttendanceFiguresSerializer(figures.event_attendance_figures(event=event)).data)


class FinaliseEventAttendanceView(APIView):
    """Close the attendance record now. In-person events otherwise close by themselves after
    the grace period; online and hybrid events close when a report is imported, or here with
    ``without_report`` (409 ``report_missing`` without it)."""

    permission_classes = [IsOrganiser]

    @extend_schema(
        request=FinaliseAttendanceSerializer, responses={200: EventAttendanceFiguresSerializer, **WRITE_ERRORS}
    )
    def post(self, request, event_id: int):
        event = event_to_manage(request.user, event_id)
        payload = FinaliseAttendanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = finalisation.close_event_attendance(
            event=event, without_report=payload.validated_data["without_report"]
        )
        return Response(EventAttendanceFiguresSerializer(figures.event_attendance_figures(event=event)).data)


THRESHOLD_PARAM = OpenApiParameter(
    "threshold", float, description="Completion threshold, 0–1 (default SERIES_COMPLETION_THRESHOLD)"
)


def _threshold(request) -> float | None:
    value = request.query_params.get("threshold")
    if value in (None, ""):
        return None
    try:
        threshold = float(value)
    except ValueError:
        raise DomainError(_("threshold is a number between 0 and 1."), "invalid_threshold") from None
    if not 0 < threshold <= 1:
        raise DomainError(_("threshold is a number between 0 and 1."), "invalid_threshold")
    return threshold


class SeriesAttendanceView(APIView):
    """Attendance across a series: totals and each participant's rate and completion."""

    permission_classes = [IsOrganiser]

    @extend_schema(parameters=[THRESHOLD_PARAM], responses={200: SeriesAttendanceFiguresSerializer, **QUERY_ERRORS})
    def get(self, request, series_id: int):
        series = series_to_manage(request.user, series_id)
        series_figures = figures.series_attendance(series=series, threshold=_threshold(request))
        return Response(SeriesAttendanceFiguresSerializer(series_figures).data)

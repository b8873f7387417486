"""Programmes API: programmes, cohorts, enrolments, journeys, mentees, certificates, impact report.

Thin views: parse, call one service from this app, render.
"""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from events.selectors import events_visible_to, series_managed_by, series_visible_to
from events_project.exceptions import DomainError
from events_project.fields import ApiEmailField
from events_project.schema import error_responses
from events_project.throttles import ScopedRateThrottle
from notifications.language import request_language
from programmes import certificate_links, certificates, journeys, reports, selectors, services
from programmes.exceptions import Forbidden, NotFound
from programmes.filters import CertificateFilter, CohortFilter, EnrolmentFilter, ProgrammeFilter
from programmes.models import Certificate, Enrolment
from programmes.permissions import (
    CanManageProgramme,
    IsOrganiser,
    can_act_for_enrolment,
    can_manage_programme,
)
from programmes.serializers import (
    CertificateSerializer,
    CohortSerializer,
    EnrolmentSerializer,
    EnrolSerializer,
    IssueCertificatesSerializer,
    JourneySerializer,
    MenteeSerializer,
    MentorSerializer,
    ProgrammeSerializer,
    RevokeSerializer,
    SkipSerializer,
    SkipUndoneSerializer,
    UndoSkipSerializer,
)
from speakers.selectors import speaker_for_user, speakers_visible_to

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


def _event(user, event_id):
    """The session posted, among the events ``user`` may see: one they may not see answers like
    an unknown one (a draft's existence is no clue)."""
    event = events_visible_to(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def _speaker(user, speaker_id):
    """The mentor chosen, among the speakers ``user`` may see (an unlisted one only for organisers)."""
    if speaker_id is None:
        return None
    speaker = speakers_visible_to(user).prefetch_related(None).filter(pk=speaker_id).first()
    if speaker is None:
        raise NotFound(_("No such speaker."), "speaker_not_found")
    return speaker


@extend_schema_view(
    list=extend_schema(responses={200: ProgrammeSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: ProgrammeSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: ProgrammeSerializer, **WRITE_ERRORS}),
    update=extend_schema(responses={200: ProgrammeSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: ProgrammeSerializer, **WRITE_ERRORS}),
)
class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programmes the signed-in organiser organises, with their impact report."""

    serializer_class = ProgrammeSerializer
    permission_classes = [IsOrganiser, CanManageProgramme]
    filterset_class = ProgrammeFilter
    ordering_fields = ["starts_on", "title"]
    ordering = ["-starts_on", "id"]

    def get_queryset(self):
        return selectors.programmes_managed_by(self.request.user)

    def perform_create(self, serializer):
        programme = services.create_programme(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=programme.pk)

    def perform_update(self, serializer):
        programme = services.update_programme(
            programme=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=programme.pk)

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The impact report's figures (see programmes.reports for the definitions)."""
        return Response(reports.impact_report(programme=self.get_object()))

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **READ_ERRORS})
    @action(detail=True, methods=["get"], url_path="report/csv")
    def report_csv(self, request, pk=None):
        programme = self.get_object()
        body = reports.report_csv(reports.impact_report(programme=programme))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-impact.csv"'
        return response

    @extend_schema(
        request=IssueCertificatesSerializer,
        responses={200: CertificateSerializer(many=True), **WRITE_ERRORS},
        description="Before the programme has ended eligibility counts only the sessions held so far: "
        'refused with 409 `programme_not_over` unless the body says `{"before_end": true}`.',
    )
    @action(detail=True, methods=["post"])
    def certificates(self, request, pk=None):
        """Issue a certificate to every participant who reached the attendance threshold."""
        programme = self.get_object()
        payload = IssueCertificatesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = certificates.issue_certificates(
            programme=programme, by=request.user, before_end=payload.validated_data["before_end"]
        )
        return Response(CertificateSerializer(issued, many=True).data)


@extend_schema_view(
    list=extend_schema(responses={200: CohortSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: CohortSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: CohortSerializer, **WRITE_ERRORS}),
)
class CohortViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CohortSerializer
    permission_classes = [IsOrganiser, CanManageProgramme]
    filterset_class = CohortFilter
    ordering = ["programme", "name", "id"]

    def get_queryset(self):
        return (
            selectors.cohorts_managed_by(self.request.user)
            .prefetch_related("programme__organisers")
            .annotate(active_members=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE)))
        )

    def perform_create(self, serializer):
        programme = serializer.validated_data["programme"]
        if not can_manage_programme(self.request.user, programme):
            raise Forbidden(_("You do not organise this programme."))
        cohort = services.create_cohort(
            programme=programme,
            name=serializer.validated_data["name"],
            series=serializer.validated_data.get("series"),
            by=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=cohort.pk)

    @extend_schema(request=EnrolSerializer, responses={201: EnrolmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Enrol a participant: they are registered for every future session of the cohort."""
        cohort = self.get_object()
        payload = EnrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["mentor"] = _speaker(request.user, data.get("mentor"))
        enrolment = services.enrol(cohort=cohort, by=request.user, **data)
        shown = EnrolmentSerializer(enrolment, context={"request": request})
        return Response(shown.data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: EnrolmentSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: EnrolmentSerializer, **READ_ERRORS}),
)
class EnrolmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Enrolments the user may see: of programmes they organise, their own, and their mentees'."""

    serializer_class = EnrolmentSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = EnrolmentFilter
    # not by the profile (sector, age group, region): a mentor sees the rows, not those fields
    ordering_fields = ["cohort", "name", "email", "status", "joined_at", "left_at", "id"]
    ordering = ["cohort", "name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return selectors.enrolments_visible_to(self.request.user).prefetch_related("cohort__programme__organisers")

    def _actionable(self):
        enrolment = self.get_object()
        if not can_act_for_enrolment(self.request.user, enrolment):
            raise Forbidden(_("Only the participant or the programme's organisers can do this."))
        return enrolment

    @extend_schema(responses={200: JourneySerializer, **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def journey(self, request, pk=None):
        """Events registered, attended and missed; rates per series and overall; streaks."""
        journey = journeys.participant_journey(enrolment=self.get_object())
        return Response(JourneySerializer(journey, context={"request": request}).data)

    @extend_schema(request=SkipSerializer, responses={201: OpenApiResponse(description="Skipped"), **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """Skip one session: the registration for it is cancelled; it counts as neither attended nor missed."""
        enrolment = self._actionable()
        payload = SkipSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = _event(request.user, payload.validated_data["event"])
        skip = services.skip_session(
            enrolment=enrolment, event=event, reason=payload.validated_data["reason"], by=request.user
        )
        return Response({"event": skip.event_id, "reason": skip.reason}, status=status.HTTP_201_CREATED)

    @extend_schema(request=UndoSkipSerializer, responses={200: SkipUndoneSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="undo-skip")
    def undo_skip(self, request, pk=None):
        """Take a skip back: the participant is registered for the session again, if it still takes
        them (capacity decides again: they may be waitlisted). Not for a session that has started."""
        enrolment = self._actionable()
        payload = UndoSkipSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        event = _event(request.user, payload.validated_data["event"])
        registration = services.undo_skip(enrolment=enrolment, event=event, by=request.user)
        undone = {
            "event": event.pk,
            "registration": registration.pk if registration else None,
            "registration_status": registration.status if registration else None,
        }
        return Response(SkipUndoneSerializer(undone).data)

    @extend_schema(request=None, responses={200: EnrolmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave the cohort: registrations for the sessions still to come are cancelled."""
        enrolment = services.leave_cohort(enrolment=self._actionable(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(request=MentorSerializer, responses={200: EnrolmentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def mentor(self, request, pk=None):
        enrolment = self.get_object()
        if not can_manage_programme(request.user, enrolment.cohort.programme):
            raise Forbidden(_("Only the programme's organisers pair mentors."))
        payload = MentorSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrolment = services.assign_mentor(
            enrolment=enrolment, mentor=_speaker(request.user, payload.validated_data["mentor"]), by=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(request=None, responses={201: CertificateSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        """Issue the completion certificate (409 below_threshold under the programme's threshold)."""
        enrolment = self.get_object()
        if not can_manage_programme(request.user, enrolment.cohort.programme):
            raise Forbidden(_("Only the programme's organisers issue certificates."))
        certificate = certificates.issue_certificate(enrolment=enrolment, by=request.user)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: MenteeSerializer(many=True), **error_responses(400, 401, 403, 404)})
class MenteeList(generics.ListAPIView):
    """The signed-in mentor's mentees, each with their attendance so far."""

    serializer_class = MenteeSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = EnrolmentFilter
    ordering = ["name", "id"]

    def get_queryset(self):

        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        speaker = speaker_for_user(self.request.user)
        if speaker is None:
            raise Forbidden(_("Only mentors have mentees."), "not_a_mentor")
        return selectors.enrolments_with_relations(Enrolment.objects.filter(mentor=speaker))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "journeys": journeys.build_journeys(page)}
        return self.get_paginated_response(MenteeSerializer(page, many=True, context=context).data)


@extend_schema_view(
    list=extend_schema(responses={200: CertificateSerializer(many=True), **error_responses(400, 401, 403, 404)}),
    retrieve=extend_schema(responses={200: CertificateSerializer, **READ_ERRORS}),
)
class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates of programmes the user organises, and their own."""

    serializer_class = CertificateSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = CertificateFilter
    ordering = ["-issued_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return selectors.certificates_visible_to(self.request.user).prefetch_related(
            "enrolment__cohort__programme__organisers"
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(400, 401, 404)})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        certificate = self.get_object()
        response = HttpResponse(certificates.certificate_pdf(certificate=certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
        return response

    @extend_schema(request=RevokeSerializer, responses={200: CertificateSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        certificate = self.get_object()
        if not selectors.certificates_managed_by(request.user).filter(pk=certificate.pk).exists():
            raise Forbidden(_("Only the organisers of the programme or series revoke its certificates."))
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        certificate = certificates.revoke_certificate(
            certificate=certificate, by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(CertificateSerializer(certificate).data)


class PublicCertificateSerializer(CertificateSerializer):
    class Meta(CertificateSerializer.Meta):
        # only what the certificate itself prints, and whether it still stands
        fields = [
            "number", "participant_name", "programme_title", "attendance_rate", "sessions_attended", "issued_at",
            "valid", "revoked_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema(responses={200: PublicCertificateSerializer, **error_responses(404)})
class CertificateVerification(generics.GenericAPIView):
    """Public: is this certificate genuine, and does it still stand? 404 certificate_invalid if tampered."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PublicCertificateSerializer

    def get(self, request, token):
        certificate = certificates.verify_certificate(token=token)
        return Response(PublicCertificateSerializer(certificate).data)


# --- series certificates: the same signed, verifiable certificate as a programme's ----------------


def _certificate_pdf(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(certificates.certificate_pdf(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.number}.pdf"'
    return response


class SeriesCertificateView(APIView):
    """An organiser gets a participant's certificate of a series they organise (?email=): issued
    on first request once the participant reached the series' threshold, the same one after."""

    permission_classes = [IsOrganiser]

    @extend_schema(
        parameters=[OpenApiParameter("email", str, required=True)],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS, **error_responses(400)},
    )
    def get(self, request, series_id: int):
        series = series_managed_by(request.user).filter(pk=series_id).first()
        if series is None:
            raise NotFound(_("No such series."), "series_not_found")
        email = request.query_params.get("email", "")
        if not email:
            raise DomainError(_("Give the participant's email."), "email_required")
        return _certificate_pdf(certificates.issue_series_certificate(series=series, email=email, by=request.user))


class ParticipantCertificateView(APIView):
    """A participant gets their series certificate through the signed link emailed to their
    address (``POST .../certificate-link/``): whoever opens it read that mailbox. A
    registration's management token is not enough: anyone can register with any address."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(403, 404, 429)})
    def get(self, request, token: str):
        series, email = certificate_links.series_and_email(token=token)
        return _certificate_pdf(certificates.issue_series_certificate(series=series, email=email))


class CertificateLinkSerializer(serializers.Serializer):
    email = ApiEmailField()


class CertificateLinkView(APIView):
    """Email a participant the link to their certificate of a series. The answer is the same
    whether or not the address has one (it must not tell a stranger who took part)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=CertificateLinkSerializer, responses={202: OpenApiTypes.OBJECT, **error_responses(400, 404, 429)}
    )
    def post(self, request, series_id: int):
        series = get_object_or_404(series_visible_to(request.user), pk=series_id)
        payload = CertificateLinkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        certificate_links.send_certificate_link(
            series=series, email=payload.validated_data["email"], language=request_language(request)
        )
        return Response(
            {"detail": str(_("If this address completed the series, a link to its certificate is on its way."))},
            status=status.HTTP_202_ACCEPTED,
        )


class MyCertificateView(APIView):
    """A signed-in participant gets their certificate of a series: the one of their account's
    own email address."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **error_responses(401, 403, 404)})
    def get(self, request, series_id: int):
        series = get_object_or_404(series_visible_to(request.user), pk=series_id)
        if not request.user.email:
            raise Forbidden(_("Your account has no email address."), "no_email")
        return _certificate_pdf(certificates.issue_series_certificate(series=series, email=request.user.email))

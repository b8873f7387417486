"""Programmes API routes, included by events.urls (mounted under /api/)."""

from django.urls import path

from events_project.routing import Router
from programmes import apis as programme_apis

router = Router()
router.register("programmes", programme_apis.ProgrammeViewSet, basename="programme")
router.register("cohorts", programme_apis.CohortViewSet, basename="cohort")
router.register("enrolments", programme_apis.EnrolmentViewSet, basename="enrolment")
router.register("certificates", programme_apis.CertificateViewSet, basename="certificate")

urlpatterns = [
    path(
        "attendance/series/<id:series_id>/certificate/",
        programme_apis.SeriesCertificateView.as_view(),
        name="series-certificate",
    ),
    path(
        "attendance/series/<id:series_id>/certificate-link/",
        programme_apis.CertificateLinkView.as_view(),
        name="certificate-link",
    ),
    path(
        "attendance/series/<id:series_id>/my-certificate/",
        programme_apis.MyCertificateView.as_view(),
        name="my-certificate",
    ),
    path(
        "attendance/certificates/<str:token>/",
        programme_apis.ParticipantCertificateView.as_view(),
        name="participant-certificate",
    ),
    path("mentees/", programme_apis.MenteeList.as_view(), name="mentee-list"),
    path(
        "certificates/verify/<str:token>/",
        programme_apis.CertificateVerification.as_view(),
        name="certificate-verification-api",
    ),
    *router.urls,
]

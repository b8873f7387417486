"""Programme pages, included by events.page_urls (mounted at /)."""

from django.urls import path

from programmes import pages

urlpatterns = [
    path("programmes/<int:pk>/report/", pages.report_page, name="programme-report"),
    path("certificates/verify/<str:token>/", pages.verify_certificate_page, name="certificate-verify"),
]

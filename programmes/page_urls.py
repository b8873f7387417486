"""Programme pages, mounted at / by events_project.urls.

The dashboard moved into the workspace (/manage/dashboard/: its page in programmes.manage_urls,
its CSV exports in attendance.manage_urls); its old addresses answer with a permanent redirect,
so bookmarks keep working.
"""

from django.urls import path
from django.views.generic import RedirectView

from programmes import pages

urlpatterns = [
    path("programmes/<id:pk>/report/", pages.report_page, name="programme-report"),
    path("certificates/verify/<str:token>/", pages.verify_certificate_page, name="certificate-verify"),
    path("dashboard/", RedirectView.as_view(url="/manage/dashboard/", permanent=True, query_string=True)),
    path(
        "dashboard/registrations.csv",
        RedirectView.as_view(url="/manage/dashboard/registrations.csv", permanent=True, query_string=True),
    ),
    path(
        "dashboard/attendance.csv",
        RedirectView.as_view(url="/manage/dashboard/attendance.csv", permanent=True, query_string=True),
    ),
]

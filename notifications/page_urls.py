"""Server-rendered pages of this app, mounted at / by events_project.urls.

The dashboard moved into the workspace (/manage/dashboard/, the programmes app); its old
addresses answer with a permanent redirect, so bookmarks keep working.
"""

from django.urls import path
from django.views.generic import RedirectView

from notifications import preference_pages, views

urlpatterns = [
    path("dashboard/", RedirectView.as_view(url="/manage/dashboard/", permanent=True, query_string=True)),
    path(
        "dashboard/registrations.csv",
        RedirectView.as_view(url="/manage/dashboard/registrations.csv", permanent=True, query_string=True),
    ),
    path(
        "dashboard/attendance.csv",
        RedirectView.as_view(url="/manage/dashboard/attendance.csv", permanent=True, query_string=True),
    ),
    path("manage/dashboard/registrations.csv", views.registrations_csv, name="dashboard-registrations-csv"),
    path("messages/preferences/<str:token>/", preference_pages.preferences_page, name="message-preferences"),
    path("messages/unsubscribe/<str:token>/", preference_pages.unsubscribe_page, name="message-unsubscribe"),
    path("manage/dashboard/attendance.csv", views.attendance_csv, name="dashboard-attendance-csv"),
]

"""Workspace routes of the programmes app, mounted under /manage/ by events_project.urls."""

from django.urls import path

from programmes import manage_pages

urlpatterns = [
    path("dashboard/", manage_pages.dashboard_page, name="dashboard"),
    path("programmes/", manage_pages.programme_list, name="manage-programmes"),
    path("programmes/new/", manage_pages.programme_new, name="manage-programme-new"),
    path("programmes/<id:pk>/", manage_pages.programme_detail, name="manage-programme"),
    path("programmes/<id:pk>/cohorts/<id:cohort_pk>/", manage_pages.cohort_detail, name="manage-cohort"),
]

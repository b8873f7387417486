"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from registrations import views

urlpatterns = [
    path("events/<int:pk>/register/", views.register, name="register"),
    path("registrations/manage/<str:token>/", views.manage, name="registration-manage"),
    path("registrations/manage/<str:token>/confirmation/", views.confirmation, name="registration-confirmation"),
    path("registrations/manage/<str:token>/cancel/", views.cancel, name="registration-cancel"),
    path("registrations/manage/<str:token>/accept-offer/", views.accept_offer, name="registration-accept-offer"),
    path("my/tickets/", views.my_registrations, name="my-registrations"),
    path("checkin/sw.js", views.service_worker, name="checkin-service-worker"),
    path("checkin/<int:event_id>/", views.checkin_page, name="checkin"),
]

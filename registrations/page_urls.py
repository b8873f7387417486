"""Server-rendered pages of this app, mounted at / by events_project.urls."""

from django.urls import path

from registrations import pages

urlpatterns = [
    path("events/<id:pk>/register/", pages.register, name="register"),
    path("registrations/manage/<str:token>/", pages.manage, name="registration-manage"),
    path("registrations/manage/<str:token>/confirmation/", pages.confirmation, name="registration-confirmation"),
    path("registrations/manage/<str:token>/cancel/", pages.cancel, name="registration-cancel"),
    path("registrations/manage/<str:token>/transfer/", pages.transfer, name="registration-transfer"),
    path("registrations/manage/<str:token>/accept-offer/", pages.accept_offer, name="registration-accept-offer"),
    path("my/tickets/", pages.my_registrations, name="my-registrations"),
    path("tickets/recover/", pages.ticket_recovery, name="ticket-recovery"),
    path("tickets/recover/sent/", pages.ticket_recovery_sent, name="ticket-recovery-sent"),
    path("checkin/", pages.my_doors, name="checkin-doors"),
    path("checkin/sw.js", pages.service_worker, name="checkin-service-worker"),
    path("checkin/<id:event_id>/", pages.checkin_page, name="checkin"),
]

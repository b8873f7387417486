"""The page behind the signed link in the invitation email: no sign-in needed, the signed
token is the speaker's proof (see services.assignment_from_token). GET shows the invitation,
POST answers it. The same is available as JSON at /api/speaker-invitations/respond/<token>/."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_project.exceptions import DomainError
from speakers import services

ANSWERS = ("accept", "decline")
TEMPLATE = "speakers/link/invitation.html"


@require_http_methods(["GET", "POST"])
def invitation_link(request, token: str):
    try:
        assignment = services.assignment_from_token(token)
    except DomainError as error:
        return render(request, TEMPLATE, {"error": error.message, "code": error.code}, status=400)
    context = {"assignment": assignment, "event": assignment.event, "token": token}
    status = 200
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        message = request.POST.get("message", "")[:2000]
        if answer not in ANSWERS:
            context["error"], status = _("Choose accept or decline."), 400
        else:
            try:
                assignment = services.answer_invitation(assignment=assignment, answer=answer, message=message)
            except DomainError as error:
                context["error"], context["code"], status = error.message, error.code, 409
            else:
                context["assignment"] = services.assignment_from_token(token)
                context["answered"] = answer
    return render(request, TEMPLATE, context, status=status)

"""Getting back in: "email me my tickets" and password reset, end to end through the email."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from notifications import kinds
from notifications.models import OutboxMessage, OutboxStatus
from registrations.services.registration import cancel_registration
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/registrations/manage/[\w-]+/")


@pytest.fixture
def low_recovery_rate(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"recovery": "2/hour"})
    cache.clear()
    yield
    cache.clear()


def ask_for_tickets(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/tickets/recover/", {"email": email})


def test_email_me_my_tickets_sends_the_links_of_active_registrations(
    client, sign_up, django_capture_on_commit_callbacks
):
    workshop = factories.EventFactory(title="Robotics workshop")
    webinar = factories.WebinarFactory(title="Careers in data science")
    visit = factories.EventFactory(title="Role models visit Ganja")
    kept = [sign_up(workshop, email="aysel@example.org"), sign_up(webinar, email="aysel@example.org")]
    cancel_registration(registration=sign_up(visit, email="aysel@example.org"))
    sign_up(workshop, email="someone.else@example.org")
    mail.outbox.clear()

    response = ask_for_tickets(client, " Aysel@Example.org ", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == "/tickets/recover/sent/"
    (message,) = mail.outbox
    assert message.to == ["Aysel Aliyeva <aysel@example.org>"]
    assert "Robotics workshop" in message.body and "Careers in data science" in message.body
    assert "Role models visit Ganja" not in message.body
    links = LINK.findall(message.body)
    assert sorted(links) == sorted(f"http://127.0.0.1:8000/registrations/manage/{r.manage_token}/" for r in kept)
    ticket = client.get(links[0].split("8000", 1)[1])  # following the link opens the ticket
    assert ticket.status_code == 200 and "Your ticket" in ticket.text


def test_email_me_my_tickets_says_the_same_for_an_unknown_address(client, sign_up, django_capture_on_commit_callbacks):
    sign_up(factories.EventFactory(), email="aysel@example.org")
    mail.outbox.clear()

    known = ask_for_tickets(client, "aysel@example.org", django_capture_on_commit_callbacks)
    unknown = ask_for_tickets(client, "nobody@example.org", django_capture_on_commit_callbacks)

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in mail.outbox] == [["Aysel Aliyeva <aysel@example.org>"]]
    sent_page = client.get(known["Location"]).text
    assert "If this address has registrations for events still to come" in sent_page


def test_email_me_my_tickets_twice_sends_one_message(client, sign_up, django_capture_on_commit_callbacks):
    sign_up(factories.EventFactory(), email="aysel@example.org")
    mail.outbox.clear()

    ask_for_tickets(client, "aysel@example.org", django_capture_on_commit_callbacks)
    ask_for_tickets(client, "aysel@example.org", django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1


def test_email_me_my_tickets_is_throttled(client, low_recovery_rate, django_capture_on_commit_callbacks):
    statuses = [
        ask_for_tickets(client, f"person{number}@example.org", django_capture_on_commit_callbacks).status_code
        for number in range(3)
    ]

    assert statuses == [302, 302, 429]
    page = client.post("/tickets/recover/", {"email": "x@example.org"})
    assert "Too many requests" in page.text and int(page["Retry-After"]) > 0


def test_email_me_my_tickets_asks_for_a_valid_address(client):
    response = client.post("/tickets/recover/", {"email": "not an address"})

    assert response.status_code == 200
    assert "data-error-summary" in response.text and "Enter a valid email address." in response.text


def test_already_registered_page_sends_the_link_to_that_address(
    client, event, sign_up, django_capture_on_commit_callbacks
):
    theirs = sign_up(event, email="aysel@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/events/{event.pk}/register/",
            {"name": "Aysel", "email": "aysel@example.org", "party_size": "1", "consent_data_processing": "on"},
        ).text

    assert theirs.manage_token not in page
    (message,) = mail.outbox
    assert theirs.manage_token in message.body


@pytest.mark.parametrize("url", ["/accounts/login/", "/my/tickets/", "/tickets/recover/sent/", "/no-such-page/"])
def test_recovery_is_linked_from_sign_in_my_tickets_and_dead_ends(client, url):
    signed_in(client, factories.UserFactory())

    assert 'href="/tickets/recover/"' in client.get(url).text


def ask_for_a_new_password(client, email, django_capture_on_commit_callbacks, **headers):
    """The reset form sent; its mail is an outbox row, sent after commit by the worker."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/password_reset/", {"email": email}, headers=headers)


def test_password_reset_end_to_end(client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(username="nigar", email="nigar@example.org")
    user.set_password("old password 123")
    user.save()

    sign_in_page = client.get("/accounts/login/").text
    form = client.get("/accounts/password_reset/")
    sent = ask_for_a_new_password(client, "nigar@example.org", django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/reset/\S+/)", message.body).group(1)
    choose = client.get(link, follow=True)
    done = client.post(
        choose.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )

    assert 'href="/accounts/password_reset/"' in sign_in_page and "Forgot your password?" in sign_in_page
    assert 'href="/static/css/site.css"' in form.text and "Forgot your password?" in form.text
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password_reset/done/"
    assert message.subject == "Choose a new password · STEM Mentorship"
    assert "Your username: nigar" in message.body
    assert "Choose a new password" in choose.text and 'name="new_password1"' in choose.text
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert "Your password is changed" in client.get(done["Location"]).text
    # the real sign-in form (the test client's login() passes no request, which the lockout needs)
    signed_in = client.post("/accounts/login/", {"username": "nigar", "password": "a new long passphrase"})
    assert (signed_in.status_code, "_auth_user_id" in client.session) == (302, True)


def test_password_reset_link_used_twice_says_so(client, django_capture_on_commit_callbacks):
    user = factories.UserFactory(username="nigar", email="nigar@example.org")
    user.save()
    ask_for_a_new_password(client, "nigar@example.org", django_capture_on_commit_callbacks)
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    choose = client.get(link, follow=True)
    client.post(
        choose.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )

    again = client.get(link, follow=True)

    assert "This link does not work any more" in again.text


def test_password_reset_for_an_unknown_address_looks_the_same(client, django_capture_on_commit_callbacks):
    response = ask_for_a_new_password(client, "nobody@example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_password_reset_mail_waits_in_the_outbox_never_in_the_request(client, settings):
    """A mail server that is down (or slow) no longer fails (or holds) the page: the request
    writes one outbox row, which a worker sends and retries; asking twice writes one."""
    settings.EMAIL_BACKEND = "tests.notifications.mail_backends.DownBackend"
    factories.UserFactory(username="nigar", email="nigar@example.org")

    first = client.post("/accounts/password_reset/", {"email": "nigar@example.org"})
    again = client.post("/accounts/password_reset/", {"email": "nigar@example.org"})

    assert (first.status_code, again.status_code) == (302, 302)
    (queued,) = OutboxMessage.objects.filter(kind=kinds.PASSWORD_RESET)
    assert queued.recipient_email == "nigar@example.org" and queued.status == OutboxStatus.PENDING
    assert "/accounts/reset/" in queued.context["reset_url"] and queued.context["username"] == "nigar"


def test_password_reset_mail_in_the_language_of_the_page_that_asked(client, django_capture_on_commit_callbacks):
    factories.UserFactory(username="nigar", email="nigar@example.org")

    ask_for_a_new_password(client, "nigar@example.org", django_capture_on_commit_callbacks, accept_language="az")

    (message,) = mail.outbox
    assert message.subject.startswith("Yeni şifrə seçin")
    assert "Salam" in message.body and "/accounts/reset/" in message.body
    assert "yeni şifrə istədiyi üçün" in message.body  # why it came: not "the tickets of this address"


def test_password_reset_is_throttled(client, low_recovery_rate):
    statuses = [client.post("/accounts/password_reset/", {"email": "x@example.org"}).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_password_reset_pages_in_azerbaijani(client):
    page = client.get("/accounts/password_reset/", headers={"accept-language": "az"}).text

    assert 'lang="az"' in page
    assert "Şifrənizi unutmusunuz?" in page


def test_the_accounts_pages_open_with_the_error_summary(client):
    """events_project's templates load the project's own library (error_summary), no app's."""
    user = factories.UserFactory(username="nigar", email="nigar@example.org")
    user.set_password("old password 123")
    signed_in(client, user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )

    assert 'class="notice bad error-summary"' in response.text
    assert '<a href="#id_old_password">Old password: Your old password was entered incorrectly.' in response.text


def test_email_me_my_tickets_is_written_in_one_language_the_askers(client, sign_up, django_capture_on_commit_callbacks):
    # the rows' times and statuses were written in the page's language, the mail around them in
    # the site's default: an Azerbaijani reader got English sentences around Azerbaijani dates
    sign_up(factories.EventFactory(title="Robotics workshop"), email="aysel@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/recover/", {"email": "aysel@example.org"}, headers={"accept-language": "az"})

    (message,) = mail.outbox
    assert "Qeydiyyatlarınızın linklərini istəmisiniz." in message.body
    assert "Bakı vaxtı ilə" in message.body
    assert "You asked for the links" not in message.body


@pytest.mark.parametrize(
    ("accept_language", "subject"), [({}, "Yeni şifrə seçin"), ({"accept_language": "en"}, "Choose")]
)
def test_password_reset_asked_in_no_language_is_written_in_the_default_mail_language(
    accept_language, subject, client, settings, django_capture_on_commit_callbacks
):
    """A visitor whose browser names no language the site speaks gets the reset in the default
    mail language (not the site's LANGUAGE_CODE, LocaleMiddleware's answer); one that asks for
    English gets English, even where the default is Azerbaijani."""
    settings.DEFAULT_MAIL_LANGUAGE = "az"
    factories.UserFactory(username="nigar", email="nigar@example.org")

    ask_for_a_new_password(client, "nigar@example.org", django_capture_on_commit_callbacks, **accept_language)

    (message,) = mail.outbox
    assert message.subject.startswith(subject)
    assert message.extra_headers["Content-Language"] == ("en" if accept_language else "az")


def test_password_reset_asked_in_no_language_follows_the_language_the_account_chose(
    client, django_capture_on_commit_callbacks
):
    from notifications.services import preferences  # noqa: PLC0415

    factories.UserFactory(username="nigar", email="nigar@example.org")
    preferences.set_language(email="nigar@example.org", language="az")

    ask_for_a_new_password(client, "nigar@example.org", django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject.startswith("Yeni şifrə seçin")


@pytest.mark.parametrize(("headers", "language"), [({}, "az"), ({"accept-language": "en"}, "en")])
def test_ticket_links_asked_in_no_language_are_written_in_the_default_mail_language(
    headers, language, client, sign_up, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_MAIL_LANGUAGE = "az"
    sign_up(factories.EventFactory(title="Robotics workshop", language=""), email="aysel@example.org")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tickets/recover/", {"email": "aysel@example.org"}, headers=headers)

    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == language
    assert ("Salam" in message.body) == (language == "az")

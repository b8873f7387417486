"""The conventions every API client relies on (docs/reference/api.md): 401 with a challenge when
credentials are missing or wrong, 403 when they are right but not enough, an API root."""

import json
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.production.conftest import api_endpoints

pytestmark = pytest.mark.django_db

NEEDS_SIGN_IN = [
    ("post", "/api/events/"),
    ("get", "/api/outbox/"),
    ("get", "/api/me/registrations/"),
    ("get", "/api/me/calendar-feeds/"),
    ("get", "/api/programmes/"),
    ("get", "/api/speaker-assignments/"),
    ("post", "/api/events/{event}/checkin/"),
    ("get", "/api/events/{event}/checkin/counts/"),
]


def _url(template: str, event) -> str:
    return template.format(event=event.pk)


@pytest.mark.parametrize(("method", "url"), NEEDS_SIGN_IN)
def test_missing_credentials_are_401_with_a_token_challenge(method, url):
    event = factories.EventFactory()

    response = getattr(APIClient(), method)(_url(url, event), {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), [*NEEDS_SIGN_IN, ("get", "/api/events/")])
def test_a_wrong_token_is_401_everywhere(method, url):
    event = factories.EventFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = getattr(client, method)(_url(url, event), {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"


def test_right_credentials_without_the_right_are_403():
    attendee = factories.UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=attendee).key}")

    response = client.get("/api/outbox/")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_pages_json_calls_still_sign_in_by_session_with_csrf(organiser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    body = {"title": "From the page", "kind": "workshop", "start": "2030-05-01T10:00", "end": "2030-05-01T12:00"}

    listed = client.get("/api/outbox/")
    without_token = client.post("/api/events/", body, content_type="application/json")
    client.get("/")  # the page sets the CSRF cookie, as a browser has it
    with_token = client.post(
        "/api/events/",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert listed.status_code == 200
    assert without_token.status_code == 403
    assert "CSRF" in without_token.json()["detail"]
    assert with_token.status_code == 201, with_token.json()


def test_api_root_links_docs_schema_and_resources(client):
    response = client.get("/api/")

    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith("/api/docs/")
    assert body["schema"].endswith("/api/schema/")
    assert body["resources"]["events"].endswith("/api/events/")
    for url in [body["docs"], body["schema"], *body["resources"].values()]:
        path = url.removeprefix("http://testserver")
        assert client.get(path).status_code in (200, 401, 405), path


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ("", "", "application/vnd.oai.openapi"),
        ("?format=json", "", "application/vnd.oai.openapi+json"),
        ("?format=yaml", "", "application/vnd.oai.openapi"),
        ("", "application/json", "application/json"),
    ],
)
def test_the_schema_comes_as_yaml_or_as_json_on_request(client, query, accept, media_type):
    headers = {"HTTP_ACCEPT": accept} if accept else {}

    response = client.get(f"/api/schema/{query}", **headers)

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    if "json" in media_type:
        assert json.loads(response.content)["openapi"].startswith("3.")
    else:
        assert response.content.startswith(b"openapi: 3.")


def test_the_schema_is_generated_once_per_language_whoever_asks(client, monkeypatch):
    """Generating it took 1-3 s of a worker, at every request, for anyone (signed in or not):
    it comes from the code alone, so it is made once per site language. Nothing a reader puts in
    the query makes another: a ``?lang=`` names a site language (``az-AZ`` is ``az``) or is a
    400, and ``?version=`` (the API has one version) is not read; each made a fresh schema, the
    versions one kept for ever (a process's memory grew with every new value)."""
    from drf_spectacular.generators import SchemaGenerator

    from events_project import schema

    monkeypatch.setattr(schema, "_schemas", {}, raising=False)  # none kept by an earlier test
    monkeypatch.setattr(schema, "_bodies", {}, raising=False)
    made = []
    generate = SchemaGenerator.get_schema
    monkeypatch.setattr(
        SchemaGenerator, "get_schema", lambda self, **kwargs: made.append(1) or generate(self, **kwargs)
    )
    organiser = Client()
    organiser.force_login(factories.OrganiserFactory())

    english = [
        client.get("/api/schema/?format=json"),
        organiser.get("/api/schema/?format=json"),
        client.get("/api/schema/"),
        client.get("/api/schema/?format=json&version=1"),
        client.get("/api/schema/?format=json&version=anything"),
        client.get("/api/schema/?format=json&lang=en-GB"),
    ]
    azerbaijani = [
        client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="az"),
        client.get("/api/schema/?format=json&lang=az"),
        client.get("/api/schema/?format=json&lang=az-AZ&version=2"),
    ]
    unknown = [client.get(f"/api/schema/?format=json&lang={lang}") for lang in ("xx", "de", "a b", "x" * 600)]

    assert len(made) == 2
    assert all(response.status_code == 200 for response in [*english, *azerbaijani])
    assert all(response.content == english[0].content for response in english[1:2] + english[3:])
    assert english[2].content.startswith(b"openapi: 3.")  # the same schema, as YAML
    assert english[0].content != azerbaijani[0].content
    assert all(response.content == azerbaijani[0].content for response in azerbaijani)
    assert [response.status_code for response in unknown] == [400] * 4
    assert {response.json()["code"] for response in unknown} == {"unknown_language"}
    assert len(schema._schemas) == 2


def test_the_schema_is_rendered_once_per_language_and_format(client, monkeypatch):
    """Rendering the YAML took about half a second of a worker at each request, for anyone."""
    from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer

    from events_project import schema

    monkeypatch.setattr(schema, "_schemas", {}, raising=False)
    monkeypatch.setattr(schema, "_bodies", {}, raising=False)
    rendered = []
    for renderer in (OpenApiYamlRenderer, OpenApiJsonRenderer):
        original = renderer.render
        monkeypatch.setattr(
            renderer,
            "render",
            lambda self, *args, _original=original, **kwargs: rendered.append(1) or _original(self, *args, **kwargs),
        )

    yaml = [client.get("/api/schema/") for _ in range(3)]
    json_bodies = [client.get("/api/schema/?format=json") for _ in range(3)]

    assert len(rendered) == 2
    assert yaml[0].content == yaml[2].content and yaml[0].content.startswith(b"openapi: 3.")
    assert json_bodies[0].content == json_bodies[2].content
    assert yaml[1]["Content-Type"].startswith("application/vnd.oai.openapi")
    assert json_bodies[1]["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "filename=" in yaml[1]["Content-Disposition"]


def test_the_schema_in_an_unknown_format_is_a_404(client):
    assert client.get("/api/schema/?format=xml").status_code == 404


def test_unknown_api_paths_are_json_404(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_every_operation_with_a_body_documents_413():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    with_body = [
        (path, method) for path, operations in paths.items() for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]  # fmt: skip

    assert len(with_body) > 20
    assert [(path, method) for path, method in with_body if "413" not in paths[path][method]["responses"]] == []


def _filled(route: str, event) -> str:
    # a real event: the event's rights are checked (404 for an unknown one) before its body is
    route = route.replace("<id:event_id>", str(event.pk))
    return "/" + re.sub(r"<id:\w+>", "1", re.sub(r"<str:\w+>", "x", route))


WRITES = [
    (name, method, route) for name, method, route in api_endpoints() if method in ("POST", "PUT", "PATCH", "DELETE")
]


@pytest.mark.parametrize(("name", "method", "route"), WRITES, ids=[f"{method} {route}" for _, method, route in WRITES])
def test_every_endpoint_answers_a_body_it_cannot_read_with_415(name, method, route):
    """The scan endpoint read a form as JSON (400 "not valid JSON"); actions that take no body
    answered 200 to anything."""
    client = APIClient()
    client.force_authenticate(factories.UserFactory(is_superuser=True, is_staff=True))

    url = _filled(route, factories.EventFactory())

    response = client.generic(method, url, "<ticket>abc</ticket>", content_type="text/xml")

    assert response.status_code == 415, response.content
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert "text/xml" in body["detail"]


def test_json_with_a_charset_is_read_where_json_is():
    organiser = factories.OrganiserFactory()
    client = APIClient()
    client.force_authenticate(organiser)
    event = factories.EventFactory(organisers=[organiser])

    response = client.generic(
        "PATCH",
        f"/api/events/{event.pk}/",
        json.dumps({"title": "Renamed"}),
        content_type="application/json; charset=utf-8",
    )

    assert (response.status_code, response.json()["title"]) == (200, "Renamed")


def test_a_form_body_is_read_where_forms_are():
    organiser = factories.OrganiserFactory()
    client = APIClient()
    client.force_authenticate(organiser)
    event = factories.EventFactory(organisers=[organiser])

    response = client.generic(
        "POST", f"/api/events/{event.pk}/cancel/", "reason=Flooded", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200


def _many_fields(count: int) -> str:
    return "&".join(f"field{number}=x" for number in range(count))


def _many_files(count: int) -> tuple[bytes, str]:
    parts = [
        f'--edge\r\nContent-Disposition: form-data; name="file{number}"; filename="f{number}.csv"\r\n\r\nx\r\n'
        for number in range(count)
    ]
    return ("".join(parts) + "--edge--\r\n").encode(), "multipart/form-data; boundary=edge"


@pytest.mark.parametrize("language", ["en", "az"])
def test_a_form_or_multipart_body_beyond_djangos_counts_is_the_apis_json_400(settings, language):
    """More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, or files than ..._FILES: Django's parser
    raises inside DRF's, which passed it on to Django's HTML 400 page."""
    organiser = factories.OrganiserFactory()
    client = APIClient()
    client.force_authenticate(organiser)
    event = factories.EventFactory(organisers=[organiser])
    files, multipart = _many_files(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}

    answers = [
        client.generic(
            "POST",
            "/api/auth/token/",
            _many_fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1),
            content_type="application/x-www-form-urlencoded",
            **headers,
        ),
        client.generic(
            "PATCH",
            f"/api/events/{event.pk}/",
            _many_fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1),
            content_type="application/x-www-form-urlencoded",
            **headers,
        ),
        client.generic("POST", "/api/attendance-imports/", files, content_type=multipart, **headers),
    ]

    assert [(answer.status_code, answer["Content-Type"], answer.json()["code"]) for answer in answers] == [
        (400, "application/json", "too_many_fields"),
        (400, "application/json", "too_many_fields"),
        (400, "application/json", "too_many_files"),
    ]
    english = {
        "too_many_fields": "The request has too many fields.",
        "too_many_files": "The request has too many files.",
    }
    assert all((answer.json()["detail"] == english[answer.json()["code"]]) == (language == "en") for answer in answers)


def test_who_may_not_call_an_endpoint_hears_so_before_its_body_is_judged():
    event = factories.EventFactory()
    stranger = APIClient()
    stranger.force_authenticate(factories.UserFactory())

    anonymous = APIClient().generic("POST", f"/api/events/{event.pk}/publish/", "<x/>", content_type="text/xml")
    refused = stranger.generic("POST", "/api/events/", "<x/>", content_type="text/xml")

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert refused.status_code == 403


API_ROUTES = sorted({route for _name, _method, route in api_endpoints()})


@pytest.mark.parametrize("route", API_ROUTES)
def test_every_api_route_answers_options_and_head_without_a_server_error(route):
    """OPTIONS on the Swagger page was a 500: DRF answers OPTIONS with the view's metadata through
    the view's renderer, and an HTML page's renderer has no template for it."""
    client = APIClient()
    url = _filled(route, factories.EventFactory())

    answers = {method: client.generic(method, url).status_code for method in ("OPTIONS", "HEAD")}

    assert all(status < 500 for status in answers.values()), answers


def test_the_schema_is_made_once_per_language_not_for_every_reader(client, monkeypatch):
    """Made for each request it held a worker for about a second, for anyone: the document is
    the same for every reader but for its labels' language."""
    from drf_spectacular.generators import SchemaGenerator

    from events_project import schema

    monkeypatch.setattr(schema, "_schemas", {})
    made = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)

    english = [client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en") for _ in range(3)]
    yaml = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    azerbaijani = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="az")

    assert len(made) == 2
    assert {response.content for response in english} == {english[0].content}
    assert yaml.content.startswith(b"openapi: 3.")
    assert b"Waiting for your check" in english[0].content
    assert "Yoxlamanızı gözləyir" in json.dumps(json.loads(azerbaijani.content), ensure_ascii=False)


_RENDERER_SETS = {
    "default": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "browsable first": ["rest_framework.renderers.BrowsableAPIRenderer", "rest_framework.renderers.JSONRenderer"],
    "schema": ["drf_spectacular.renderers.OpenApiYamlRenderer", "drf_spectacular.renderers.OpenApiJsonRenderer"],
}


@pytest.mark.parametrize("renderers", _RENDERER_SETS)
@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "text/html", "application/json; indent=4", "text/*", ""]
)
def test_the_usual_accept_headers_choose_the_renderer_drf_chooses(renderers, accept):
    """The shortcut for no Accept, */* and application/json answers as DRF's parsing of them."""
    from django.test import RequestFactory
    from django.utils.module_loading import import_string
    from rest_framework.exceptions import NotAcceptable
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.request import Request

    from events_project.negotiation import usual_renderer

    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(RequestFactory().get("/api/", **headers))
    chosen = [import_string(path)() for path in _RENDERER_SETS[renderers]]

    quick = usual_renderer(request, chosen)
    try:
        drf = DefaultContentNegotiation().select_renderer(request, chosen)
    except NotAcceptable:
        drf = None

    if quick is not None:
        assert (type(quick[0]), quick[1]) == (type(drf[0]), drf[1])
    usual = accept in (None, "*/*") or (accept == "application/json" and renderers != "schema")
    assert (quick is not None) == usual


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/jsonp",
        "text/plain",
        "application/x-www-form-urlencoded",
    ],
)
def test_the_usual_json_body_chooses_the_parser_drf_chooses(content_type):
    from django.test import RequestFactory
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.request import Request

    from events_project.negotiation import usual_parser
    from events_project.parsers import FormParser, JSONParser, MultiPartParser

    request = Request(RequestFactory().post("/api/", b"{}", content_type=content_type))
    parsers = [JSONParser(), FormParser(), MultiPartParser()]

    quick = usual_parser(request, parsers)

    assert quick is None or quick is DefaultContentNegotiation().select_parser(request, parsers)
    assert (quick is not None) == (content_type.startswith("application/json") and content_type != "application/jsonp")


def _signed_in_reads() -> list[str]:
    """Every API list or read that takes no id: each answers a signed-in caller what is theirs."""
    return sorted(
        "/" + route
        for _name, method, route in api_endpoints()
        if method == "GET" and "<" not in route and route not in ("api/", "api/schema/")
    )


def test_every_signed_in_api_answer_is_private_token_and_session_alike():
    organiser = factories.OrganiserFactory()
    event = factories.EventFactory(organisers=[organiser])
    factories.RegistrationFactory(event=event)
    with_token = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=organiser).key}")
    with_session = Client()
    with_session.force_login(organiser)
    reads = _signed_in_reads() + [f"/api/events/{event.pk}/registrations/", f"/api/events/{event.pk}/checkin/list/"]

    answers = {
        (url, how): (response.status_code, response.get("Cache-Control"))
        for url in reads
        for how, client in (("token", with_token), ("session", with_session))
        for response in [client.get(url)]
    }

    assert "/api/outbox/" in reads
    assert {key: answer for key, answer in answers.items() if answer[1] != "private, no-store"} == {}


def test_an_anonymous_api_answer_stays_cacheable():
    factories.EventFactory()

    response = APIClient().get("/api/events/")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_read_with_query_parameters_declares_its_400_itself():
    """A filter, an ordering or a figure's parameter may be invalid: each such operation declares
    its 400 (``events_project.schema.error_responses``) as the other filtered lists do; the outbox
    and message-template lists left it to the schema's catch-all hook (``document_common_errors``)."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().parse(None, True)  # the operations as declared, before the hooks
    missing = []
    for path, operations in paths.items():
        read = operations.get("get")
        if read is None:
            continue
        asked = {parameter["name"] for parameter in read.get("parameters", []) if parameter["in"] == "query"}
        if asked - {"page", "page_size", "format", "lang"} and "400" not in read["responses"]:
            missing.append(path)

    assert missing == []

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path

from events_project import account_pages, site_pages
from events_project.api_root import ApiRoot
from events_project.auth import obtain_token
from events_project.health import healthz
from events_project.routing import IdConverter  # noqa: F401 - registers <id:...> before the apps' routes load
from events_project.schema import DocsView, RedocView, SchemaView

api_patterns = [
    # registrations (the rush's POST, the door's scans) before the events' routes, which no
    # path of theirs matches: resolving a path tries every pattern before the one it meets
    path("", include("registrations.urls")),
    path("", include("events.urls")),
    path("", include("speakers.urls")),
    path("", include("notifications.urls")),
    path("", include("attendance.urls")),
    path("", include("programmes.urls")),
    path("", include("feeds.urls")),
    path("", include("teams.urls")),
    path("auth/token/", obtain_token, name="api-token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    # the API docs under the site's Content-Security-Policy: Swagger UI's start script is a file
    # of its own (the split view), only its page's small <style> block is let in; ReDoc starts
    # from an inline script and styles itself with <style> elements
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(DocsView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path(
        "redoc/",
        csp_update(
            {
                "script-src": ["'unsafe-inline'"],
                "style-src": ["'unsafe-inline'", "https://fonts.googleapis.com"],
                "font-src": ["https://fonts.gstatic.com"],
            }
        )(RedocView.as_view(url_name="schema")),
        name="api-redoc",
    ),
    path("", ApiRoot.as_view(), name="api-root"),
]

urlpatterns = [
    # the API first: no page or admin address starts with api/, and its requests are the many
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("manage/", include("events.manage_urls")),
    path("manage/", include("registrations.manage_urls")),
    path("manage/", include("speakers.manage_urls")),
    path("manage/", include("notifications.manage_urls")),
    path("manage/", include("attendance.manage_urls")),
    path("manage/", include("teams.manage_urls")),
    path("manage/", include("programmes.manage_urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("notifications.account_urls")),  # the reset mail through the outbox
    path("accounts/login/", account_pages.sign_in, name="login"),
    path("accounts/logout/", account_pages.sign_out, name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("favicon.ico", site_pages.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("registrations.page_urls")),
    path("", include("speakers.page_urls")),
    path("", include("notifications.page_urls")),
    path("", include("programmes.page_urls")),
    path("", include("feeds.page_urls")),
    path("", include("teams.page_urls")),
    path("", include("events.page_urls")),
]

# JSON for unknown /api/ paths (and ids out of range), the site's page elsewhere
handler404 = "events_project.api_root.not_found"

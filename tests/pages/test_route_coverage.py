"""Every route of the site is a page that the every-page tests open, or says why it is not."""

from tests.pages.every_page import NOT_PAGES, PAGES, site_routes


def test_every_route_is_an_opened_page_or_says_why_not():
    routes = site_routes()

    unknown = sorted(route for route in routes if route not in PAGES and route not in NOT_PAGES)
    stale = sorted(route for route in [*PAGES, *NOT_PAGES] if route not in routes)

    assert unknown == [], f"add these routes to PAGES (or NOT_PAGES) in tests/pages/every_page.py: {unknown}"
    assert stale == [], f"these routes are gone: remove them from tests/pages/every_page.py: {stale}"


def declared_methods(view) -> list[str] | None:
    """The methods a function view's ``require_http_methods`` (``require_safe``, ``require_POST``)
    lets through, found in the decorator's closure; None when it has none."""
    while view is not None:
        for cell in view.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list) and value and all(isinstance(item, str) and item.isupper() for item in value):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_page_view_says_which_methods_it_answers():
    """A function view without a method decorator renders its page for a POST as for a GET
    (200), so a page that only shows something must say so (``require_safe``). Class-based
    views answer 405 for methods they do not define."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    undeclared = sorted(
        route
        for route, view in walk(get_resolver().url_patterns)
        if not route.startswith(("api/", "admin/", "i18n/"))  # the API and the admin: DRF's and Django's own
        and not hasattr(view, "view_class")
        and declared_methods(view) is None
    )

    assert undeclared == [], f"decorate these page views with require_safe or require_http_methods: {undeclared}"

"""Every route of the site is a page that the every-page tests open, or says why it is not."""

from tests.pages.every_page import NOT_PAGES, PAGES, site_routes


def test_every_route_is_an_opened_page_or_says_why_not():
    routes = site_routes()

    unknown = sorted(route for route in routes if route not in PAGES and route not in NOT_PAGES)
    stale = sorted(route for route in [*PAGES, *NOT_PAGES] if route not in routes)

    assert unknown == [], f"add these routes to PAGES (or NOT_PAGES) in tests/pages/every_page.py: {unknown}"
    assert stale == [], f"these routes are gone: remove them from tests/pages/every_page.py: {stale}"

"""Pages behind a private link: a secret in the URL (a ticket, an invitation, a team or speaker
link, message preferences) is the reader's only proof, so the page is never kept by a shared
cache, never indexed and never sent to another site as a Referer. One rule for every such page;
tests/pages/test_private_links.py checks every route with a token in its address."""

import functools


def private(response):
    # "no-referrer" would also blank the Origin of our own forms, which CSRF checking refuses
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def private_link(view):
    """Decorator of a page view whose URL holds a secret: every answer of it is private."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return private(view(request, *args, **kwargs))

    return wrapper

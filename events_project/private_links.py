"""Pages behind a private link: a secret in the URL (a ticket, an invitation, a team or speaker
link, message preferences) is the reader's only proof, so the page is never kept by a shared
cache, never indexed and never sent to another site as a Referer. One rule for every such page;
tests/pages/test_private_links.py checks every route with a token in its address."""

import functools
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve


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


# a certificate's verification link is printed on the certificate, to be shown to anyone
PUBLIC_BY_DESIGN = {"certificate-verify", "certificate-verification-api"}
HIDDEN = "…"
_URL = re.compile(r"(?:https?|webcal)://[^\s\"'<>]+")
_TRAILING = ".,;:!?)]}"


def mask_private_links(text: str) -> str:
    """``text`` with the secret of every private link of this site left out
    (``/registrations/manage/…/``): a message's text shown to anyone but its recipient (the
    organisers' outbox) shows where a link leads, never the link itself. A private link is any
    route of the site with a ``token`` in its address, as ``tests/pages/test_private_links.py``
    finds them (the certificate check, public by design, stays whole)."""
    if not text:
        return text
    site = urlsplit(settings.SITE_URL).netloc
    return _URL.sub(lambda found: _masked(found.group(0), site), text)


def _masked(url: str, site: str) -> str:
    core = url.rstrip(_TRAILING)
    tail = url[len(core) :]
    parts = urlsplit(core)
    if parts.netloc != site:
        return url
    try:
        match = resolve(parts.path)
    except Resolver404:
        return url
    token = match.kwargs.get("token")
    if not token or match.url_name in PUBLIC_BY_DESIGN:
        return url
    return parts._replace(path=parts.path.replace(token, HIDDEN, 1)).geturl() + tail

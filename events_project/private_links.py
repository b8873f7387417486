"""Pages behind a private link: a secret in the URL (a ticket, an invitation, a team or speaker
link, message preferences) is the reader's only proof, so the page is never kept by a shared
cache, never indexed and never sent to another site as a Referer. One rule for every such page;
tests/pages/test_private_links.py checks every route with a token in its address."""

import functools
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import URLResolver, get_resolver

# "no-referrer" would also blank the Origin of our own forms, which CSRF checking refuses
PRIVATE_HEADERS = (
    ("Cache-Control", "private, no-store"),
    ("Referrer-Policy", "same-origin"),
    ("X-Robots-Tag", "noindex"),
)


def private(response):
    for header, value in PRIVATE_HEADERS:
        response[header] = value
    return response


def private_link(view):
    """Decorator of a page view whose URL holds a secret: every answer of it is private."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return private(view(request, *args, **kwargs))

    return wrapper


def is_private_route(match) -> bool:
    """Whether a resolved route (``request.resolver_match``) has a secret in its address: a
    ``token`` among its arguments, a page's or the API's alike."""
    return match is not None and "token" in match.kwargs and match.url_name not in PUBLIC_BY_DESIGN


# a certificate's verification link is printed on the certificate, to be shown to anyone
PUBLIC_BY_DESIGN = {"certificate-verify", "certificate-verification-api"}
HIDDEN = "…"
_URL = re.compile(r"(?:https?|webcal)://[^\s\"'<>]+", re.IGNORECASE)
# a token's own characters: what follows it (a slash, ".ics", a query, words glued on) stays; a
# signed token whose content compressed begins with a dot (django.core.signing)
_TOKEN = r"\.?[^/?#.\s\"'<>]+"


def mask_private_links(text: str) -> str:
    """``text`` with the secret of every private link of this site left out
    (``/registrations/manage/…/``): a message's text shown to anyone but its recipient (the
    organisers' outbox) shows where a link leads, never the link itself. A private link is any
    route of the site with a ``token`` in its address, as ``tests/pages/test_private_links.py``
    finds them (the certificate check, public by design, stays whole). The site's address is
    recognised in any case (a mail client opens ``HTTPS://EVENTS.EXAMPLE.ORG/...`` all the same)
    and the token is left out whatever follows it (an organiser's wording may glue a word to the
    link, or leave its closing slash out: the site still opens it)."""
    if not text:
        return text
    site = urlsplit(settings.SITE_URL).netloc.lower()
    return _URL.sub(lambda found: _masked(found.group(0), site), text)


def _masked(url: str, site: str) -> str:
    scheme_end = url.index("://") + 3
    host_end = next((at for at in range(scheme_end, len(url)) if url[at] in "/?#"), len(url))
    # a user part (``https://someone@events.example.org/``) leads to the site all the same
    if url[scheme_end:host_end].lower().rpartition("@")[2] != site:
        return url
    return url[:host_end] + _private_prefixes().sub(lambda found: found.group("prefix") + HIDDEN, url[host_end:], 1)


@functools.cache
def _private_prefixes() -> re.Pattern:
    """The address of every route with a token, up to the token: ``/registrations/manage/``,
    ``/calendar/private/``, ``/api/registrations/manage/``..."""
    prefixes = sorted(
        {prefix for prefix, name in _token_routes(get_resolver().url_patterns, "") if name not in PUBLIC_BY_DESIGN},
        key=len,
        reverse=True,
    )
    return re.compile(rf"^(?P<prefix>/(?:{'|'.join(map(re.escape, prefixes))})){_TOKEN}")


def _token_routes(patterns, above: str):
    for pattern in patterns:
        route = above + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _token_routes(pattern.url_patterns, route)
        elif "<str:token>" in route:
            prefix = route.partition("<str:token>")[0]
            if "<" not in prefix:
                yield prefix, pattern.name

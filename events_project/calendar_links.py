"""Links that open a calendar subscription (an ``.ics`` feed URL) in the common calendar programs.

Shared by the pages that offer a feed: "My calendars" (private feeds) and an event's page (its
series' public feed). ``webcal://`` opens Apple Calendar and Outlook on the desktop; Google
Calendar (what most Android phones use) needs its own link, which takes the feed by address.
"""

from urllib.parse import quote, urlencode


def subscribe_links(url: str, name: str) -> dict[str, str]:
    """Links that open a subscription to the feed at ``url`` (absolute, http or https)."""
    webcal = "webcal://" + url.split("://", 1)[1]
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": url, "name": name}, quote_via=quote),
    }

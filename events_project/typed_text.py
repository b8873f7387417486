"""What a person typed into a text field, as the site keeps it.

One rule for every free text a registrant or participant types (names, answers to questions,
choices, organisation, the people they bring): invisible formatting characters are dropped (a
zero-width space, a byte-order mark, a right-to-left override that turns "Aysel" round on every
list), blanks and joiners around the text are trimmed, and a text of nothing visible is no text
(""), so a required field of only those is refused with its usual code. A one-line text (a name,
an organisation) is also kept on one line (:func:`tidy_line`).
"""

import re
import unicodedata

# zero-width non-joiner and joiner shape letters and emoji: kept inside a text, trimmed around it
_JOINERS = "\u200c\u200d"
# blanks and joiners at the start of a text; at its end, looked for at the start of the text
# reversed: "[...]+$" tried at every blank inside a text, so a name of "a", 4,000 spaces and "a"
# took a second to tidy, and longer texts the square of their length
_LEADING = re.compile(rf"[\s{_JOINERS}]+")


def _trimmed(text: str) -> str:
    leading = _LEADING.match(text)
    if leading:
        text = text[leading.end() :]
    trailing = _LEADING.match(text[::-1])
    return text[: len(text) - trailing.end()] if trailing else text


def tidy_text(value) -> str:
    """``value`` as text without invisible formatting characters and without blanks or joiners
    around it: "" when nothing visible is left."""
    text = "".join(c for c in ("" if value is None else str(value)) if unicodedata.category(c) != "Cf" or c in _JOINERS)
    text = _trimmed(text)
    return text if any(unicodedata.category(c)[0] not in "CZ" for c in text) else ""


def tidy_line(value) -> str:
    """``value`` as :func:`tidy_text` keeps it, on one line: a text that is one line by nature
    (a name, an organisation) has its line breaks (CR, LF, U+2028, U+0085), tabs and runs of
    blanks inside made one space, so it never starts a line of its own in a mail ("Hello Aysel" /
    "Bcc: …"), a CSV cell or a list."""
    return " ".join(tidy_text(value).split())


def without_invisible(value) -> str:
    """``value`` as text without any invisible formatting character, joiners included: for what
    is no prose (an email address pasted from a chat or a document with a zero-width space)."""
    return "".join(c for c in ("" if value is None else str(value)) if unicodedata.category(c) != "Cf")


def tidy_email(value) -> str:
    """An email address as the site keeps it: nothing invisible, no blanks around it, lower-case,
    and its domain in the ASCII form mail uses (aysel@bücher.de is aysel@xn--bcher-kva.de), so
    that one mailbox typed either way is one address: duplicates are found by this form. A
    domain no IDNA encoder takes is left as typed, for the address check to refuse."""
    if isinstance(value, str) and value.isascii():
        # the same, at once (a send batch asks it three times a message): plain ASCII holds no
        # invisible formatting character, is its own NFC form and its domain is in ASCII already
        return value.strip().lower()
    address = unicodedata.normalize("NFC", without_invisible(value).strip().lower())
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address

"""A fan-out's messages rendered at the cost of a few: the templates once per group, not per person.

Ten thousand reminders of one event differ only in a few values: the recipient's name, the
link to their registration, their preferences and unsubscribe links (``PERSONAL``). Within one
send batch, the messages of one *group* (kind, event, language, the recipient's role, the
organiser's wording, the JSON context, and which personal values are empty) are written by the
same templates with the same common values. So the templates (subject, body and the HTML page)
are rendered once per group with a marker in place of each personal value (the *stamp*); each
message is the stamp with its own values put in, then tidied, given its call to action, footer
and HTML paragraphs exactly as a full render does (``rendering.finish``). Where a message's values
are all on one line (no line break, no run of spaces, no space at an end: what tidying leaves
alone), finish's work is done once on the stamp: the message is its tidied subject, text (with
call to action and footer), preheader and page with the values put in, unless putting them in
would change what finish decided (a subject it would cut, a link found in the body or not).

What keeps it exact:

- a marker says whether the template escaped it (it holds an ``&``): the value goes in escaped
  where the template escapes (the HTML page), as it is where it does not (the text parts);
- the registration itself is withheld from the stamp's templates: a template that reads it
  (``registration.party_size``) makes the group unstampable, and its messages are rendered in
  full; so does any other error while stamping;
- a group's first message is rendered both ways: if the two differ, the group is rendered in
  full from then on.

Only the announcement kinds are stamped, whose messages are about a registration or nothing;
everything else, and attachments always, is rendered per message.
"""

import html
import json
import logging
import re

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from notifications import kinds
from notifications.audience import audience_of
from notifications.language import message_language
from notifications.services.rendering import (
    CALENDAR_CANCEL_KINDS,
    CALENDAR_UPDATE_KINDS,
    TICKET_KINDS,
    RenderedMessage,
    _registration,
    build_attachments,
    build_context,
    finish,
    html_page,
    html_paragraphs,
    personal_values,
    render,
    tidy_body,
    written_texts,
)

logger = logging.getLogger(__name__)

STAMPED_KINDS = frozenset(
    {kinds.REMINDER, kinds.FOLLOW_UP_ATTENDED, kinds.FOLLOW_UP_NO_SHOW, kinds.EVENT_CHANGED, kinds.EVENT_CANCELLED}
)
# the kinds that may carry a ticket or a calendar entry (rendering.build_attachments)
ATTACHING_KINDS = TICKET_KINDS | CALENDAR_UPDATE_KINDS | CALENDAR_CANCEL_KINDS
# what the page adds around the written text, besides the personal values
PAGE_PARTS = ("subject", "preheader", "content")

MARKER = re.compile("\ue000([a-z_]+)(&amp;|&)\ue001")


def _marker(key: str) -> str:
    # private-use characters no template writes; the "&" shows whether the template escaped it
    return f"\ue000{key}&\ue001"


class _Marked:
    """A text with markers, cut at them once: each message's copy is its pieces joined with the
    message's values (no search through the whole HTML page for every message)."""

    __slots__ = ("pieces", "tail")

    def __init__(self, text: str):
        cut = MARKER.split(text)  # text, key, "&" or "&amp;", text, key, ..., text
        self.pieces = tuple(
            (cut[index], cut[index + 1], cut[index + 2] == "&amp;") for index in range(0, len(cut) - 1, 3)
        )
        self.tail = cut[-1]

    def fill(self, values: dict[str, str]) -> str:
        parts = []
        for text, key, escaped in self.pieces:
            parts.append(text)
            # what django.utils.html.escape writes, without its lazy-string wrapper
            parts.append(html.escape(values[key]) if escaped else values[key])
        parts.append(self.tail)
        return "".join(parts)


class NotStampable(Exception):  # noqa: N818 -- not an error: the group is rendered in full
    """A template reads what differs from one recipient to the next beyond the personal values."""


class _Withheld:
    """Stands for the registration in a stamp's context: reading it stops the stamping."""

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name):
        raise NotStampable(name)

    def __str__(self) -> str:
        raise NotStampable("str")


def _plain(value: str) -> bool:
    """A value that cannot change how its paragraph is made HTML: no link can form around it
    (urlize looks only at words with ".", "@" or ":") and it does not move a paragraph's edges."""
    return not any(character in value for character in ".@:\n\r") and value == value.strip()


def _one_line(value: str) -> bool:
    """A value that tidying leaves as it is wherever it stands: no line break, no run of spaces,
    no space at either end (then tidying the filled text is filling the tidied one)."""
    return value == " ".join(value.split())


class _Stamp:
    def __init__(self, *, values: dict, subject: str, body: str, made: RenderedMessage, personal_keys: tuple[str, ...]):
        """``subject`` and ``body`` as the templates wrote them, ``made`` what ``finish`` made of
        them (all with markers for the personal values)."""
        self.values = values
        self.subject = _Marked(subject)
        self.body = _Marked(body)
        self.html = _Marked(made.body_html)
        self.personal_keys = personal_keys
        # What finish makes of a message whose personal values are all on one line: its tidied
        # texts are the stamp's tidied texts filled in (subject, text with call to action and
        # footer, preheader before its cut), unless filling in moves what finish decided on the
        # stamp: a subject it would cut, a link it would find in the body (or not).
        self.finished = len(made.subject) < 300  # finish cuts a subject at 300
        self.finished_subject = _Marked(made.subject)
        self.finished_body = _Marked(tidy_body(body))
        self.finished_text = _Marked(made.body_text)
        greeting, _sep, rest = tidy_body(body).partition("\n\n")
        self.finished_preheader = _Marked(" ".join((rest or greeting).split()))  # as finish makes it, before the cut
        self.action = made.action
        self.action_link = _Marked(made.action[1]) if made.action else None
        self.action_in_body = bool(made.action) and made.action[1] in tidy_body(body)
        # The body's HTML paragraphs, made once: a message whose personal values in the body are
        # plain, in words that are plain around them, gets them put in (escaped); else its own.
        tidy = tidy_body(body)
        self.content = _Marked(html_paragraphs(tidy))
        self.content_keys = tuple(sorted(set(MARKER.findall(escape(tidy)))))
        self.content_stamped = all(
            _plain(MARKER.sub("", word)) or not MARKER.search(word) for word in escape(tidy).split()
        )

    def _content(self, mine: dict):
        if self.content_stamped and all(_plain(mine[key]) for key, _escaped in self.content_keys):
            stamped = self.content.fill(mine)
            return lambda body: stamped
        return html_paragraphs

    def _finished(self, mine: dict) -> RenderedMessage | None:
        """The message from the stamp's finished texts (None: finish must make it)."""
        subject = self.finished_subject.fill(mine)
        if len(subject) > 300:
            return None
        body = self.finished_body.fill(mine)
        action = None
        if self.action:
            link = self.action_link.fill(mine)
            if (link in body) != self.action_in_body:
                return None
            action = (self.action[0], link)
        content = self._content(mine)(body)
        preheader = self.finished_preheader.fill(mine)[:140]
        parts = {**mine, "subject": subject, "preheader": preheader, "content": content}
        return RenderedMessage(
            subject=subject, body_text=self.finished_text.fill(mine), body_html=self.html.fill(parts), action=action
        )

    def fill(self, *, kind: str, personal: dict, language: str) -> RenderedMessage:
        mine = {key: str(personal[key]) for key in self.personal_keys}
        if self.finished and all(_one_line(value) for value in mine.values()):
            made = self._finished(mine)
            if made is not None:
                return made
        values = {**self.values, **mine}

        def page(context: dict) -> str:
            return self.html.fill({**mine, **{part: str(context[part]) for part in PAGE_PARTS}})

        return finish(
            kind=kind,
            values=values,
            subject=self.subject.fill(mine),
            body=self.body.fill(mine),
            language=language,
            page=page,
            content=self._content(mine),
        )


def _same_text(stamped: RenderedMessage, full: RenderedMessage) -> bool:
    # attachments are made per message either way (and a calendar entry carries the second it was made)
    return {**vars(stamped), "attachments": None} == {**vars(full), "attachments": None}


class FanOutRenderer:
    """Renders the messages of one send batch; ``render`` takes what ``rendering.render`` takes."""

    def __init__(self):
        self._stamps: dict[tuple, _Stamp | None] = {}

    def render(self, **arguments) -> RenderedMessage:
        """``rendering.render(**arguments)``, from the batch's stamp where one fits."""
        arguments = {"override": None, "language": "", **arguments, "extra": arguments.get("extra") or {}}
        kind, about, event = arguments["kind"], arguments["about"], arguments["event"]
        recipient_name, language, extra = arguments["recipient_name"], arguments["language"], arguments["extra"]
        if kind not in STAMPED_KINDS or (about is not None and _registration(about) is None):
            return render(**arguments)
        language = message_language(language, event=event)
        personal = {**personal_values(recipient_name=recipient_name, about=about, event=event), **(extra or {})}
        group = self._group(arguments, language=language, personal=personal)
        if group not in self._stamps:
            self._stamps[group] = stamp = self._stamp(arguments, language=language, personal=personal)
            full = render(**arguments)
            if stamp is not None and not _same_text(self._fill(stamp, arguments, language, personal), full):
                logger.warning("A stamped %s differs from its full render; its group is rendered in full", kind)
                self._stamps[group] = None
            return full
        stamp = self._stamps[group]
        if stamp is None:
            return render(**arguments)
        return self._fill(stamp, arguments, language, personal)

    @staticmethod
    def _group(arguments: dict, *, language: str, personal: dict) -> tuple:
        event, override, about = arguments["event"], arguments["override"], arguments["about"]
        return (
            arguments["kind"],
            event.pk if event is not None else None,
            language,
            override.pk if override is not None else None,
            audience_of(kind=arguments["kind"], about=about).role,
            about is None,
            json.dumps(arguments["context"] or {}, sort_keys=True, default=str),
            tuple(sorted((key, bool(value)) for key, value in personal.items())),
        )

    @staticmethod
    def _fill(stamp: _Stamp, arguments: dict, language: str, personal: dict) -> RenderedMessage:
        # the stamp and the words around it are in the group's language already
        rendered = stamp.fill(kind=arguments["kind"], personal=personal, language=language)
        if arguments["kind"] not in ATTACHING_KINDS:
            rendered.attachments = []
        else:
            with translation.override(language):
                rendered.attachments = build_attachments(
                    kind=arguments["kind"],
                    recipient_email=arguments["recipient_email"],
                    recipient_name=arguments["recipient_name"],
                    about=arguments["about"],
                    event=arguments["event"],
                )
        rendered.language = language
        rendered.headers = {"Content-Language": language}
        return rendered

    @staticmethod
    def _stamp(arguments: dict, *, language: str, personal: dict) -> _Stamp | None:
        """The group's templates rendered with markers for the personal values (None: it cannot be)."""
        kind, event, context = arguments["kind"], arguments["event"], arguments["context"] or {}
        extra = arguments["extra"]
        # a context value of the same name wins over the personal one in a full render (build_context)
        personal_keys = tuple(key for key, value in personal.items() if value and (key in extra or key not in context))
        try:
            with translation.override(language):
                values = build_context(
                    kind=kind,
                    recipient_name=arguments["recipient_name"],
                    about=arguments["about"],
                    event=event,
                    context=context,
                )
                values.update(extra)
                values.update({key: _marker(key) for key in personal_keys})
                if "registration" in values:
                    values["registration"] = _Withheld()
                subject, body = written_texts(kind=kind, event=event, values=values, override=arguments["override"])

                def stamp_page(page_values: dict) -> str:
                    marked = {part: _marker(part) for part in PAGE_PARTS}
                    marked["content"] = mark_safe(marked["content"])  # noqa: S308 -- a marker, filled with escaped HTML
                    return html_page({**page_values, **marked})

                made = finish(kind=kind, values=values, subject=subject, body=body, language=language, page=stamp_page)
        except NotStampable:
            return None
        except Exception:  # noqa: BLE001 -- whatever a template does, the full render decides (and reports it)
            logger.warning("Could not stamp %s; its group is rendered in full", kind, exc_info=True)
            return None
        values.pop("registration", None)
        return _Stamp(values=values, subject=subject, body=body, made=made, personal_keys=personal_keys)

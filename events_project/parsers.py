"""The one JSON parser of the API: bounded in size and depth, no NUL characters.

Python's decoder recurses once per nesting level, so ``[[[[…]]]]`` 50,000 deep is a
``RecursionError`` (a 500) before any serializer sees it; PostgreSQL refuses a NUL character
in any text (a 500 when it reaches a query). This parser answers all three with a 4xx:

- a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (the limit Django applies to forms) is 413;
- nesting deeper than ``limits.MAX_JSON_DEPTH`` is 400, found by a scan of the raw text before
  decoding;
- a NUL character (or a lone surrogate, or another control character but tab, line feed and
  carriage return) in any string or key is 400;
- a number beyond a float's range (``1e400``, read as infinity) is 400 ``number_out_of_range``.
"""

import itertools
import math
import re
from json import JSONDecodeError

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser as DRFFormParser
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from events_project import limits

_STRINGS = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
# \u0000 preceded by an even number of backslashes (an odd number escapes the backslash itself)
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# the other control characters (C0 but tab, LF and CR; DEL), escaped (\u0007, or JSON's short
# escapes \b and \f for backspace and form feed) or, for DEL, raw (JSON refuses raw C0 in strings
# itself): stored, they would be served as they are, in calendar files RFC 5545 then makes
# invalid for every subscriber of a feed
_CONTROL_CHARACTER = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:u00(?:0[1-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|[bf])|\x7f")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


def max_body_size() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def nesting_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, brackets inside strings aside.
    In C loops only (regex, translate, accumulate): a wide megabyte body takes milliseconds."""
    brackets = _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _json_error(exc: Exception) -> str:
    """What is wrong with the body, in the request's language: where the decoder stopped, not
    its English message."""
    if isinstance(exc, JSONDecodeError):
        return _("The body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": exc.lineno,
            "column": exc.colno,
        }
    if isinstance(exc, UnicodeDecodeError):
        return _("The body is not valid UTF-8 text.")
    return _("The body is not valid JSON.")


class NumberOutOfRange(ValueError):
    """A number beyond a float's range (1e400): Python reads it as infinity, which no field
    takes and no JSON answer can carry."""


def finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NumberOutOfRange(text)
    return value


class JSONParser(DRFJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_size()
        if stream is None:
            raw = b""
        else:
            raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(_("The request body is larger than %(limit)s bytes.") % {"limit": limit})
        if nesting_depth(raw) > limits.MAX_JSON_DEPTH:
            raise ParseError(
                _("JSON nested deeper than %(depth)s levels.") % {"depth": limits.MAX_JSON_DEPTH}, "json_too_deep"
            )
        if _ESCAPED_NUL.search(raw):
            raise ParseError(_("Text may not contain NUL characters."), "nul_character")
        if _CONTROL_CHARACTER.search(raw):
            raise ParseError(_("Text may not contain control characters."), "control_character")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant, parse_float=finite_float)
        except NumberOutOfRange as exc:
            raise ParseError(
                _("The number %(number)s is too large.") % {"number": str(exc)[:20]}, "number_out_of_range"
            ) from None
        except (ValueError, RecursionError) as exc:
            raise ParseError(_json_error(exc)) from None
        try:
            # a lone surrogate (\ud800) decodes, then fails in every database driver
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise ParseError(_("Text must be valid Unicode (no lone surrogates)."), "invalid_unicode") from None
        return data


# NUL aside (the fields refuse it), a control character in a form field's text: C0 but tab, LF and CR; DEL
_CONTROL_IN_TEXT = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(data) -> None:
    """The JSON parser's rule for the text fields of a form or multipart body (files aside)."""
    for _name, values in data.lists():
        if any(isinstance(value, str) and _CONTROL_IN_TEXT.search(value) for value in values):
            raise ParseError(_("Text may not contain control characters."), "control_character")


class FormParser(DRFFormParser):
    """A form body's rules, as the JSON parser's: no NUL in any name or value (PostgreSQL refuses
    it in every query, wherever a value is looked up), no other control character in its text.
    Pages' form bodies are checked by RejectControlCharactersMiddleware before any view runs."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if any("\x00" in name or any("\x00" in value for value in values) for name, values in data.lists()):
            raise ParseError(_("Text may not contain NUL characters."), "nul_character")
        refuse_control_characters(data)
        return data


class MultiPartParser(DRFMultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_control_characters(parsed.data)
        return parsed

"""How every CSV of the site is written: UTF-8 with a byte order mark (Excel), and no cell a
spreadsheet would run as a formula (CSV injection). The dashboard's exports stream it from a
request (attendance.exports) or write it to a file in a job (attendance.services.exports); both
write the same bytes."""

import csv
from collections.abc import Iterable, Iterator


class _Echo:
    def write(self, value):
        return value


# what a spreadsheet program may take as the start of a formula (OWASP's list), and the fullwidth
# forms of the four signs, which Excel in an East Asian locale turns into them as it reads
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The file as lines of text: the byte order mark, the header, then each row made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel reads UTF-8 (Azerbaijani letters)
    # a header cell may be typed by people too (an event's question labels its column)
    yield writer.writerow([safe_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])

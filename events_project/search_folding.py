"""How a typed name is compared with a stored one: the one rule of the door's search and of the
workspace's registrations search, stated here and applied by Python (``fold``), by the database
(``Folded``, the stored ``Registration.search_name``) and by the door page's offline search
(``offlineSearchFold`` in checkin.js, which receives ``FOLDED_LETTERS`` from the page).

A phone without an Azerbaijani keyboard types "ilahe" for "İlahə", "seker" for "Şəkər", "gunel"
for "Günel": each letter below is its Latin base letter, a combining accent is dropped (a name
stored decomposed, "e" and U+0301), and then the rest is lower-cased. One letter for one letter,
so PostgreSQL's TRANSLATE does it in the database without an extension; on SQLite, whose LOWER
knows ASCII alone, the database calls ``fold`` itself (``add_sqlite_function``).

Changing the table changes what is stored: add a migration that drops and adds
``Registration.search_name`` (a generated column is computed once, when the row is written).
"""

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

_BASES = {
    "a": "áàâäãåāăąÁÀÂÄÃÅĀĂĄ",
    "c": "çćčÇĆČ",
    "d": "đĐ",
    "e": "əéèêëēėęěƏÉÈÊËĒĖĘĚ",
    "g": "ğĞ",
    "i": "ıíìîïīįIİÍÌÎÏĪĮ",
    "l": "łŁ",
    "n": "ñńňÑŃŇ",
    "o": "öóòôõøōőÖÓÒÔÕØŌŐ",
    "r": "řŘ",
    "s": "şśšșŞŚŠȘ",
    "t": "ţțťŢȚŤ",
    "u": "üúùûūůűųÜÚÙÛŪŮŰŲ",
    "y": "ýÿÝŸ",
    "z": "žźżŽŹŻ",
}
# combining accents, as a decomposed name holds them: dropped ("İ" decomposed is "I" and U+0307)
_DROPPED = "\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c\u0326\u0327\u0328"

# each letter the search folds, and what it becomes ("" for a dropped accent)
FOLDED_LETTERS: dict[str, str] = {
    **{letter: base for base, letters in _BASES.items() for letter in letters},
    **dict.fromkeys(_DROPPED, ""),
}
_TABLE = str.maketrans({letter: base or None for letter, base in FOLDED_LETTERS.items()})


def fold(text: str) -> str:
    """``text`` as the search compares it: "İlahə" is "ilahe", "ŞƏKƏR" is "seker"."""
    return text.translate(_TABLE).lower()


class Folded(Func):
    """``fold`` in SQL, of a text column: TRANSLATE on PostgreSQL, one REPLACE a letter on SQLite,
    then LOWER (the table's letters are all folded before it, so PostgreSQL's LOWER need not know
    them); on SQLite ``fold`` itself, registered with each connection."""

    arity = 1
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        letters = "".join(letter for letter, base in FOLDED_LETTERS.items() if base)
        bases = "".join(base for base in FOLDED_LETTERS.values() if base)
        dropped = "".join(letter for letter, base in FOLDED_LETTERS.items() if not base)
        # TRANSLATE drops the letters of its second argument that have no counterpart in the third
        translated = Func(
            self.source_expressions[0],
            Value(letters + dropped),
            Value(bases),
            function="TRANSLATE",
            output_field=CharField(),
        )
        return compiler.compile(Lower(translated))

    def as_sqlite(self, compiler, connection, **extra_context):
        # ``fold`` itself (SQLite's parser gives up on the 130 REPLACEs nested), registered with
        # each connection by ``add_sqlite_function``
        return compiler.compile(Func(self.source_expressions[0], function=SQLITE_FUNCTION, output_field=CharField()))


SQLITE_FUNCTION = "search_fold"


def add_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created``: a SQLite connection gets ``fold`` as the deterministic function
    ``search_fold`` that ``Registration.search_name`` is computed with (so a tool that opens the
    file without it, sqlite3's shell, cannot write a registration's name)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 1, lambda text: None if text is None else fold(text), deterministic=True
        )

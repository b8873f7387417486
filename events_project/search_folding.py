"""How a typed name is compared with a stored one: the one rule of the door's search and of the
workspace's registrations search, stated here and applied by Python (``fold``), by the database
(``search_folding_sql.Folded``, the stored ``Registration.search_name``) and by the door page's offline search
(``offlineSearchFold`` in checkin.js, which receives ``FOLDED_LETTERS`` from the page).

A phone without an Azerbaijani keyboard types "ilahe" for "İlahə", "seker" for "Şəkər", "gunel"
for "Günel": each letter below is its Latin base letter, a combining accent is dropped (a name
stored decomposed, "e" and U+0301), and then the rest is lower-cased. One letter for one letter,
so PostgreSQL's TRANSLATE does it in the database without an extension; on SQLite, whose LOWER
knows ASCII alone, the database calls ``fold`` itself (``add_fold_to``).

Plain Python, no Django: the bench's own SQLite connection adds ``fold`` too (bench/run.py).

Changing the table changes what is stored: add a migration that drops and adds
``Registration.search_name`` (a generated column is computed once, when the row is written).
"""

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


SQLITE_FUNCTION = "search_fold"


def add_fold_to(sqlite_connection) -> None:
    """``fold`` as ``search_fold`` on a sqlite3 connection (Django's, or the bench's own)."""
    sqlite_connection.create_function(
        SQLITE_FUNCTION, 1, lambda text: None if text is None else fold(text), deterministic=True
    )

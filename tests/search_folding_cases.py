"""The one table of the name search's folding (events_project.search_folding): the names stored,
and what a phone without an Azerbaijani keyboard types to find them. Run against the door's
online search on SQLite and PostgreSQL (tests/checkin/test_door.py), the workspace's search
(tests/registrations/test_search_folding.py) and the door page's offline search in Chromium
(tests/pages/test_door_browser.py)."""

STORED_NAMES = (
    "İlahə Quliyeva",
    "ILAHƏ BABAYEVA",
    "Şəkər Məmmədova",
    "Günel Həsənova",
    "Çiçək Əliyeva",
    "Oğul Rzayev",
    "Özge Yılmaz",
    "René Dupont",
    "José Núñez",
    "Gu\u0308lnar Nəbiyeva",  # stored decomposed: "u" and a combining diaeresis
    "Leyla Aliyeva",
)

# (typed, the names it finds)
TYPED = (
    ("ilahe", ["ILAHƏ BABAYEVA", "İlahə Quliyeva"]),
    ("İLAHƏ", ["ILAHƏ BABAYEVA", "İlahə Quliyeva"]),
    ("Ilahə", ["ILAHƏ BABAYEVA", "İlahə Quliyeva"]),
    ("ılahe", ["ILAHƏ BABAYEVA", "İlahə Quliyeva"]),
    ("seker", ["Şəkər Məmmədova"]),
    ("SEKER", ["Şəkər Məmmədova"]),
    ("memmed", ["Şəkər Məmmədova"]),
    ("gunel", ["Günel Həsənova"]),
    ("cicek", ["Çiçək Əliyeva"]),
    ("eliyeva", ["Çiçək Əliyeva"]),
    ("ogul", ["Oğul Rzayev"]),
    ("ozge", ["Özge Yılmaz"]),
    ("yilmaz", ["Özge Yılmaz"]),
    ("rene", ["René Dupont"]),
    ("nunez", ["José Núñez"]),
    ("Núñez", ["José Núñez"]),
    ("gulnar", ["Gu\u0308lnar Nəbiyeva"]),
    ("Gülnar", ["Gu\u0308lnar Nəbiyeva"]),
    ("aliyeva", ["Leyla Aliyeva"]),
    ("Şahin", []),
)

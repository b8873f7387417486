"""Every message in the code and templates has an Azerbaijani translation in the one .po file.

``makemessages`` runs on a copy of the sources (so the checkout is left alone) and merges the
committed ``.po`` into what it finds; whatever comes out untranslated or fuzzy is missing.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
PO = Path("locale") / "az" / "LC_MESSAGES" / "django.po"
# the same folders docs/reference/pages.md tells translators to leave out
NOT_TRANSLATED = ["bench", "data", "loadtest", "scripts", "tests", ".venv", ".git", "screenshots"]


def test_every_message_has_an_azerbaijani_translation(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_TRANSLATED, "__pycache__", "*.mo"), symlinks=True)
    ignores = [f"--ignore={name}" for name in NOT_TRANSLATED]

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "az", "--no-obsolete", "-v", "0", *ignores],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "TESTING": "1", "DJANGO_SETTINGS_MODULE": "events_project.test_settings"},
    )
    catalogue = polib.pofile(str(copy / PO))
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and (not entry.translated() or entry.fuzzy)]

    assert missing == [], f"{len(missing)} messages without Azerbaijani in {PO}: translate them there"


def test_the_committed_mo_is_compiled_from_the_po():
    """The site reads the compiled ``.mo`` (committed: a fresh machine may have no msgfmt), so it
    must say what the ``.po`` says. Fix: ``TESTING=1 .venv/bin/python manage.py compilemessages
    -l az --ignore=.venv`` (touch the ``.po`` first if it answers "already compiled")."""
    translated = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in polib.pofile(str(ROOT / PO))
        if entry.translated() and not entry.obsolete
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in polib.mofile(str(ROOT / PO.with_suffix(".mo")))
        if entry.msgid
    }

    stale = sorted(key[1][:60] for key, text in translated.items() if compiled.get(key) != text)
    assert stale == [], f"{len(stale)} messages differ in the .mo: compile it"


def test_optional_is_said_one_way_in_azerbaijani():
    """The workspace's labels say "(istəyə bağlı)" (the field template's own "(optional)"), the
    speaker's message box and the door's email said "(istəyə görə)": one word for one idea."""
    catalogue = polib.pofile(str(ROOT / PO))
    optional = next(entry.msgstr for entry in catalogue if entry.msgid == "(optional)")
    said_otherwise = [
        entry.msgid
        for entry in catalogue
        if entry.msgid.endswith("(optional)") and not entry.obsolete and not entry.msgstr.endswith(optional)
    ]

    assert said_otherwise == []


def translations_saying(pattern: str, *, unless_msgid: str = "") -> list[str]:
    """The msgids whose Azerbaijani text has a word matching ``pattern`` (a regular expression,
    any case), leaving out those whose English matches ``unless_msgid``."""
    catalogue = polib.pofile(str(ROOT / PO))
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and not (unless_msgid and re.search(unless_msgid, entry.msgid, re.IGNORECASE))
        and any(re.search(pattern, text, re.IGNORECASE) for text in [entry.msgstr, *entry.msgstr_plural.values()])
    ]


def test_a_session_is_said_one_way_in_azerbaijani():
    """A session of a series or programme is a "görüş" (the word most of the catalogue used, from
    the mentoring emails to the cohort pages); the series editor and a few errors said "sessiya",
    the programme's certificates and a cohort's enrolment "məşğələ": one word for one idea."""
    assert translations_saying("sessiya|məşğələ") == []


def test_a_cohort_is_said_one_way_in_azerbaijani():
    """A programme's cohort is a "qrup" on its pages and in its emails; a few errors said "axın"."""
    assert translations_saying(r"\baxın") == []


def test_a_speaker_is_said_one_way_in_azerbaijani():
    """A speaker is a "məruzəçi" everywhere (the menu, the roster, the invitations); the answer to
    sending a speaker their sign-in link said "spiker"."""
    assert translations_saying("spiker") == []


def test_a_password_is_said_one_way_in_azerbaijani():
    """A password is a "şifrə" (the sign-in, reset and change pages); the new note on the password
    pages about the calendar links said "parol", beside "şifrə" in the heading above it."""
    assert translations_saying(r"\bparol") == []


def test_qrup_is_kept_for_cohorts_in_azerbaijani():
    """ "Qrup" is a programme's cohort; a registration's party (a parent with her children) was
    a "qrup" too, in the register page's errors, the workspace's "People in the party" beside the
    cohort pages and the confirmation email: it is "nəfər", as the register form says."""
    assert translations_saying(r"\bqrup", unless_msgid="cohort|enrol|age group") == []


def test_a_cohorts_name_is_not_followed_by_qrup_in_azerbaijani():
    """A cohort is often named "Qrup A": "%(name)s qrupu yaradıldı" said "Qrup A qrupu yaradıldı".
    The cohort's name stands alone ("Qrup yaradıldı: %(name)s"). The cohort's placeholder is one
    named for it (``%(cohort)s``, ``%(cohort_name)s``) or the one after "cohort" in the English."""
    catalogue = polib.pofile(str(ROOT / PO))
    doubled = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        names = set(re.findall(r"%\((cohort\w*)\)s", entry.msgid))
        names |= set(re.findall(r"cohort [“\"]?%\((\w+)\)s", entry.msgid, re.IGNORECASE))
        for name in names:
            if re.search(rf"%\({name}\)s[”\"»]?\s+qrup", entry.msgstr, re.IGNORECASE):
                doubled.append(entry.msgid)

    assert doubled == []


def test_a_cohorts_name_does_not_follow_the_word_cohort_in_english():
    """A cohort is often named "Cohort A": "The cohort %(name)s is created." said "The cohort Cohort A
    is created." The name stands apart ("Cohort created: “%(name)s”.", "A cohort (“%(cohort)s”) ...")."""
    catalogue = polib.pofile(str(ROOT / PO))
    doubled = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and re.search(r"\bcohort\s+[“\"]?%\(\w+\)s", entry.msgid, re.IGNORECASE)
    ]

    assert doubled == []


def test_a_link_is_said_one_way_in_azerbaijani():
    """A link (a URL to open) is a "link" in Azerbaijani, as on the tickets, the invitations and the
    private pages; the message editor, the certificate's answer and a few errors said "keçid". The
    catalogue has no "keçid" in its other sense (a passage), so the stem alone marks the word."""
    assert translations_saying(r"\bkeçid") == []


# the familiar imperatives the buttons and instructions said, beside the polite ones ("qoş" beside
# "qoşun", "et" beside "edin"); "keçir" and "bitir" are left out: they are also "passes" and "ends"
INFORMAL_IMPERATIVES = [
    "et", "qoş", "göndər", "göstər", "saxla", "tap", "qayıt", "axtar", "ol", "yarat", "çıxar", "aç", "dəyiş",
    "bağla", "götür", "keç", "yüklə", "al", "bax", "cütləşdir", "yekunlaşdır", "bildir", "yazıl", "təmizlə",
    "kopyala", "söndür", "sil", "seç", "yaz", "təsdiqlə", "çağır", "tanı", "planlaşdır",
]  # fmt: skip


def test_actions_are_asked_politely_in_azerbaijani():
    """A user-facing action is a polite imperative ("Qoşun", "Ləğv edin", "Yadda saxlayın"), as the
    instructions are; half the buttons said "Qoş", "Ləğv et", "Saxla"."""
    assert translations_saying(r"\b(" + "|".join(INFORMAL_IMPERATIVES) + r")\b") == []


def test_active_is_said_one_way_in_azerbaijani():
    """ "Aktiv", as the enrolment statuses and the programme report say; a cohort's members were "fəal"."""
    assert translations_saying(r"\bfəal\b") == []


def test_people_in_a_party_are_counted_in_nefer_in_azerbaijani():
    """People are counted in "nəfər" (the register form, the confirmations); the waiting count on
    the workspace said "gözləyən adam", and two of its instructions "adam"."""
    assert translations_saying(r"\badam") == []


def test_a_button_for_the_reader_says_your_in_azerbaijani():
    """A button the reader presses about their own things asks them politely, so it says "your"
    (-ınız): "Biletinizi açın". It said "my" beside the polite imperative ("Biletimi açın",
    "Profilimi redaktə edin"), a request to someone else. An answer in the reader's own voice
    ("Yes, cancel my registration", a box the reader ticks) and a request to the site ("Email me my
    tickets") keep "my"."""
    catalogue = polib.pofile(str(ROOT / PO))
    said_my = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and re.match(r"^(?!Yes\b|Email me\b)[A-Z]\w+( to)? my \w+", entry.msgid)
        and not re.search(r"\w(ınız|iniz|unuz|ünüz|nız|niz|nuz|nüz)", entry.msgstr)
        and not entry.msgid.startswith(("All my", "Links to my"))  # headings, not actions
    ]

    assert said_my == []


def test_a_name_the_action_is_done_to_takes_no_case_ending_it_cannot_have_in_azerbaijani():
    """A name in a placeholder cannot take the accusative ending a direct object needs, so the
    action comes first: "Komandadan çıxarın: %(name)s". It said "%(name)s komandadan çıxarın"."""
    catalogue = polib.pofile(str(ROOT / PO))
    bare_object = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and re.match(r"^Remove %\(\w+\)s$", entry.msgid) and entry.msgstr.startswith("%(")
    ]

    assert bare_object == []


def test_save_is_said_one_way_in_azerbaijani():
    """Saving is "yadda saxlayın" (the programme's and the password's buttons); the speaker
    profile's Save and the series editor said "saxlayın"."""
    catalogue = polib.pofile(str(ROOT / PO))
    said_otherwise = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and re.match(r"^Save\b", entry.msgid) and "yadda saxla" not in entry.msgstr.lower()
    ]

    assert said_otherwise == []


def test_enrolling_someone_is_not_joining_in_azerbaijani():
    """An organiser enrols someone in a cohort: "qrupa əlavə edin". The buttons said "Qoşun",
    which every reader takes for "Join" (the event page's own "Tədbirə qoşulun")."""
    assert translations_saying(r"\bqoşun\b", unless_msgid=r"^(?!.*\benrol)") == []


def test_moving_someone_off_the_waiting_list_says_where_to_in_azerbaijani():
    """Moving someone in from the waiting list takes them to the participants ("iştirakçılar
    siyahısına", as the promotion email says). The registrations page's button said "Gözləmə
    siyahısından keçirin" (move from the waiting list, to nowhere) and the admin's action
    "gözləmə siyahısından çıxarın", which reads as taking them off it for good."""
    catalogue = polib.pofile(str(ROOT / PO))
    said_otherwise = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and re.search(r"^Move (in|selected off)|is moved in", entry.msgid)
        and "ştirakçılar siyahısına" not in entry.msgstr  # İ or i: Python lowers İ to i and a dot
    ]

    assert said_otherwise == []


def test_the_person_invited_is_one_person_in_azerbaijani():
    """The team forms speak of the invited person as one ("Onun e-poçt ünvanı", "Nə edəcək",
    "O, ... məktub alır"); the series' door form's help said "Onlar" (they, many) beside them."""
    catalogue = polib.pofile(str(ROOT / PO))
    help_text = next(
        entry.msgstr
        for entry in catalogue
        if entry.msgid.startswith("They will check people in at the door of every session of this series")
    )

    assert help_text.startswith("O, ")


def test_the_cancel_pages_box_says_what_the_reader_wants_in_azerbaijani():
    """The box the reader ticks says what they want ("... ləğv etmək istəyirəm"), not a request
    to someone else ("Bəli, qeydiyyatımı ləğv edin")."""
    catalogue = polib.pofile(str(ROOT / PO))
    said = {entry.msgid: entry.msgstr for entry in catalogue if not entry.obsolete}

    assert said["Yes, cancel my registration"].endswith("istəyirəm")


def test_a_recording_is_said_one_way_in_azerbaijani():
    """The webinar's recording (its link, the follow-up mail) read "Yazı", "writing": it is
    "Videoyazı" wherever a recording of the event is meant."""
    catalogue = polib.pofile(str(ROOT / PO))
    recordings = [
        entry
        for entry in catalogue
        if not entry.obsolete
        and re.search(r"\brecording\b", entry.msgid, re.IGNORECASE)
        and not re.search(r"attendance|refreshes", entry.msgid, re.IGNORECASE)
    ]

    assert {entry.msgid for entry in recordings} >= {"Recording", "The recording is here:", "Link to the recording"}
    assert [entry.msgid for entry in recordings if "videoyazı" not in entry.msgstr.lower()] == []
    assert translations_saying(r"\byazı(nın|sı|nı)?\b") == []


def test_the_registrations_figures_count_people_in_nefer_in_azerbaijani():
    """The registrations tab read "6 nəfər təsdiqlənib" but "6 gözləyir": every figure of people says "nəfər"."""
    catalogue = polib.pofile(str(ROOT / PO))
    figures = ("awaiting approval (%(counter)s registration)", "waiting (%(counter)s registration)", "offered a seat")
    said = {
        entry.msgid: [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for entry in catalogue
        if entry.msgid in figures
    }

    assert set(said) == set(figures)
    assert {msgid: texts for msgid, texts in said.items() if not all(t.startswith("nəfər") for t in texts)} == {}


# "place" as a location or an idiom, not a seat at an event
PLACE_NOT_A_SEAT = re.compile(
    r"take place|^place$|time or place|date, place|in (my|their|your) place|in place of|takes your place", re.IGNORECASE
)


def test_a_seat_is_said_one_way_in_english():
    """What a registration holds and the waiting list waits for is a "seat" (the Seats field, "3
    seats left", "A seat is offered to you"); the waiting-list mails and the cancel page said
    "place" for the same thing ("A place at … is free for you", "while places are open")."""
    catalogue = polib.pofile(str(ROOT / PO))
    place = [
        text
        for entry in catalogue
        if not entry.obsolete
        for text in (entry.msgid, entry.msgid_plural)
        if text and re.search(r"\bplaces?\b", PLACE_NOT_A_SEAT.sub("", text), re.IGNORECASE)
    ]

    assert place == []

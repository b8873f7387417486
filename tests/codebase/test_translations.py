"""Every message in the code and templates has an Azerbaijani translation in the one .po file.

``makemessages`` runs on a copy of the sources (so the checkout is left alone) and merges the
committed ``.po`` into what it finds; whatever comes out untranslated or fuzzy is missing.
"""

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

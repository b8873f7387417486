"""No function, class, method or property without a caller (vulture; config in pyproject.toml).

Unused variables and attributes are left out: Django's fields, Meta options and ORM writes are
exactly that, and vulture cannot tell them from dead ones.
"""

import ast
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from django.template import engines

from tests.codebase import APPS

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("unused function", "unused class", "unused method", "unused property", "unused import", "unreachable code")


def test_no_dead_code():
    result = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.stderr == ""
    dead = [line for line in result.stdout.splitlines() if any(kind in line for kind in CHECKED)]

    assert dead == [], "remove these, or list them in vulture_whitelist.py with where they are used"


def test_dead_code_whitelist_names_only_what_exists():
    # importing runs its expressions: a renamed or removed definition fails here, not silently
    import vulture_whitelist  # noqa: F401


def test_domain_settings_are_declared_once_in_settings():
    """A setting read as getattr(settings, NAME, default) has its default far from settings.py;
    declare it there (events_project/settings.py, "The programme's own rules") and read settings.NAME."""
    scattered = [
        f"{path.relative_to(ROOT)}"
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "getattr(settings," in path.read_text()
    ]

    assert scattered == []


def test_no_setting_is_assigned_twice_at_the_top_of_settings():
    """Two branches may each declare a setting; the later one silently wins. Once only."""
    tree = ast.parse((ROOT / "events_project" / "settings.py").read_text())
    names = Counter(
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    )

    assert [name for name, count in names.items() if count > 1] == []


def _template_texts() -> str:
    return "\n".join(
        path.read_text()
        for app in APPS
        for path in (ROOT / app).rglob("templates/**/*")
        if path.is_file() and path.suffix in (".html", ".txt", ".ics", ".xml")
    )


def test_every_template_filter_and_tag_has_a_template_using_it():
    """vulture skips what `@register.filter`/`@register.simple_tag` define (a template reaches them),
    so a filter no template uses any more would stay unnoticed: look for each in the templates.
    The apps' libraries and those settings.TEMPLATES names (events_project's, which is no app)."""
    engine = engines["django"].engine
    ours = {name: module for name, module in engine.libraries.items() if module.split(".")[0] in APPS}
    libraries = engine.template_libraries
    texts = _template_texts()
    unused = [
        f"{module}.{name}"
        for library_name, module in ours.items()
        for name in (*libraries[library_name].filters, *libraries[library_name].tags)
        if not re.search(rf"\|\s*{name}\b|\{{%\s*{name}\b", texts)
    ]

    # the libraries were found, the apps' and the project's: the check below checks something
    assert {"event_pages", "people", "error_summary"} <= set(ours)

    assert unused == []

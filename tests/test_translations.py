"""Swedish and English are both complete: every translatable string in the code and templates
has a Swedish translation, and the compiled catalogue matches the source catalogue."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SKIP_DIRS = {".venv", ".git", "node_modules", "staticfiles", "test-artifacts", "__pycache__", ".pytest_cache", ".hypothesis"}


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory):
    """makemessages run on a copy of the tree, so the test sees what the code asks for today
    without touching the working tree."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to check the translations: apt-get install -y gettext")
    copy = tmp_path_factory.mktemp("tree") / "brygga"
    # Test databases (with their -wal/-shm files, which come and go) are skipped: the other
    # pass of CI runs in this same tree while this copy is made.
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP_DIRS or ".sqlite3" in n or n.endswith(".pyc")])
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-obsolete", "-i", "tests/*", "-i", ".venv/*"],
        cwd=copy, check=True, capture_output=True, env={"PATH": "/usr/bin:/bin", "DEBUG": "true"},
    )
    return polib.pofile(str(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))


def test_every_message_has_a_swedish_translation(fresh_catalogue):
    missing = [e.msgid for e in fresh_catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{len(missing)} messages lack a Swedish translation, e.g.: {missing[:15]}"


def test_the_compiled_catalogue_is_up_to_date():
    source = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.pofile(str(PO)).translated_entries()}
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(MO)) if e.msgid}
    assert source == compiled, "run: python manage.py compilemessages -l sv"

"""What `./brygga run` prints for whoever started the demo: the logins in English (the README's
language), one aligned line per role with the role named, not buried under the demo's emails."""

import io

from django.core.management import call_command
from django.utils import translation


def test_the_demo_prints_one_aligned_english_line_per_role_and_no_emails(db, settings, capsys):
    settings.LANGUAGE_CODE = "sv"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    with translation.override("sv"):
        call_command("load_demo", stdout=out)
    printed = out.getvalue() + capsys.readouterr().out  # the console email backend writes to stdout
    logins = printed[printed.index("Demo logins"):].splitlines()[1:]

    assert [line.split("  ")[1].strip() for line in logins] == [
        "Organization admin", "HR admin", "Manager", "Employee", "Warehouse staff"]
    assert len({line.index("@") - len(line.split("@")[0].split()[-1]) for line in logins}) == 1  # emails in one column
    assert "Subject:" not in printed and "Content-Type" not in printed

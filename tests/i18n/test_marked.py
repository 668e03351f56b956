"""Every string a person reads is marked for translation, and the Russian catalogue translates every one of them.

These run after every merge: a string another engineer added without {% translate %} / gettext, or added marked but
left out of the Russian catalogue, fails here with its file, line and text. How to fix: mark it (README,
"Languages"), run `make messages`, translate the new entries in locale/ru/LC_MESSAGES/django.po, and remove any
`#, fuzzy` flag after checking the translation.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from common import model_words
from common.i18n import model_words as current_model_words
from tests.i18n import catalogue
from tests.i18n.unmarked import ROOT, every_finding, python_findings, template_findings

PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
# Every language of the site but English has a catalogue that must be complete (Ukrainian too, once added).
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_of(code: str, root: Path = ROOT) -> Path:
    return root / "locale" / code / "LC_MESSAGES" / "django.po"


def _report(findings) -> str:
    return "\n".join(f"  {path}:{line}: {text!r}" for path, line, text in findings)


def test_every_template_and_python_string_shown_to_users_is_marked():
    findings = every_finding()
    assert not findings, (
        f"{len(findings)} user-visible string(s) not marked for translation (wrap them in {{% translate %}} / "
        f"{{% blocktranslate %}} or gettext_lazy; README “Languages”):\n{_report(findings)}"
    )


def test_the_finders_find_what_they_should(tmp_path):
    """The check fails on unmarked text, English plurals, English attributes and unwrapped Python labels, and
    passes the same strings marked: a test of the test, so that it cannot pass by finding nothing."""
    page = ROOT / "templates" / "_h12_probe.html"
    module = ROOT / "common" / "_h12_probe.py"
    try:
        page.write_text(
            '{% load i18n %}<h1>Held now</h1><p title="Last seen">{% translate "Fine" %}</p>'
            "{{ n }} case{{ n|pluralize }}<p>{% blocktranslate %}Also fine{% endblocktranslate %}</p>"
            '{% include "x.html" with title="Charge list" %}<code>held_on</code><p>API · CSV</p>'
        )
        module.write_text(
            "from django.db import models\nfrom django.utils.translation import gettext_lazy as _\n"
            "class Kind(models.TextChoices):\n    A = 'a', 'Armed group'\n    B = 'b', _('Marked')\n"
            "class M(models.Model):\n    x = models.CharField(help_text='Plain English')\n"
            "    y = models.CharField(help_text=_('Marked'))\n"
            "def f(request, messages, ValidationError):\n    messages.success(request, f'Saved {request}')\n"
            "    raise ValidationError({'field': ['Bad value']})\n"
        )
        found = {text for _, _, text in template_findings(page)}
        assert "Held now" in found and "Last seen" in found and "Charge list" in found
        assert any("pluralize" in text for text in found)
        assert not {"Fine", "Also fine", "held_on", "API · CSV", "API", "CSV"} & found
        py_found = {(line, text) for _, line, text in python_findings(module)}
        texts = {text for _, text in py_found}
        assert {"Armed group", "Plain English", "Bad value"} <= texts and "Marked" not in texts
        assert any(text.startswith("f") and "Saved" in text for text in texts)
        assert (4, "Armed group") in py_found  # the line is reported
    finally:
        page.unlink(missing_ok=True)
        module.unlink(missing_ok=True)


def test_names_django_makes_from_code_are_listed_for_the_catalogue():
    """A model or field without a verbose_name shows its code name ("held by") in the admin: the words must be in
    common/model_words.py so that makemessages puts them in the catalogue."""
    listed = [str(words) for words in model_words.WORDS]
    missing = sorted(set(current_model_words()) - set(listed))
    assert not missing, (
        "Names made from code that common/model_words.py does not list (regenerate it: python manage.py shell -v 0 "
        '-c "from common.i18n import print_model_words; print_model_words()" > common/model_words.py, then '
        f"make messages): {missing}"
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_committed_catalogue_has_no_untranslated_or_fuzzy_entry(code):
    entries = catalogue.read(po_of(code))
    assert len(entries) > 900
    bad = [e for e in entries if not e.translated or "fuzzy" in e.flags]
    assert not bad, f"{code} entries untranslated or fuzzy:\n" + "\n".join(f"  {e.where()}: {e.label()}" for e in bad)
    plurals = [e for e in entries if e.plural]
    assert plurals and len({len(e.strings) for e in plurals}) == 1  # every plural has the header's number of forms


def test_russian_plurals_have_their_four_forms():
    assert all(len(e.strings) == 4 for e in catalogue.read(PO) if e.plural)  # one, few, many (and fractions)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed (apt-get install gettext)")
def test_makemessages_finds_nothing_the_russian_catalogue_lacks(tmp_path, monkeypatch):
    """makemessages over a copy of the code, merged with the committed catalogue: every string the code marks has
    a Russian translation that gettext did not have to guess (a guess is marked fuzzy)."""
    tree = tmp_path / "tree"
    skip = shutil.ignore_patterns("__pycache__", "*.mo", "migrations", "management", "tests", ".venv*")
    # Every top-level folder `make messages` reads (all but its --ignore list), so that an app added later (alerts,
    # reconcile, ...) is in the copy: a fixed list left their entries out and the merged catalogue shrank.
    not_read = {"tests", "bench", "var", "docs", "staticfiles", "static", "node_modules"}
    for path in sorted(ROOT.iterdir()):
        if path.is_dir() and not path.name.startswith((".", "_")) and path.name not in not_read:
            shutil.copytree(path, tree / path.name, ignore=skip)
    # A string no catalogue has: the run must report it, or it did not look at the code at all.
    (tree / "templates" / "h12_probe.html").write_text('{% load i18n %}{% translate "A probe nobody translated" %}')
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[tree / "locale"]):
        call_command("makemessages", locale=TRANSLATED, add_location="file", no_obsolete=True, verbosity=0)
    for code in TRANSLATED:
        merged = catalogue.read(po_of(code, tree))
        bad = [e for e in merged if not e.translated or "fuzzy" in e.flags]
        probe = [e for e in bad if e.msgid == "A probe nobody translated"]
        assert probe and probe[0].references == ["templates/h12_probe.html"]
        bad.remove(probe[0])
        assert not bad, (
            f"{len(bad)} marked string(s) with no checked {code} translation (run `make messages`, translate them "
            f"in locale/{code}/LC_MESSAGES/django.po, drop `#, fuzzy`):\n"
            + "\n".join(f"  {e.where()}: {e.label()}" for e in bad)
        )
        assert len(merged) >= len(catalogue.read(po_of(code))) - 5


@pytest.mark.parametrize("code", TRANSLATED)
@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed (apt-get install gettext)")
def test_the_catalogue_compiles_with_matching_placeholders(tmp_path, code):
    """msgfmt --check: every %(name)s of the English is in the translation, the plural forms agree with the header."""
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po_of(code))],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_compiled_catalogues_are_built_not_committed():
    tracked = subprocess.run(["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert tracked == [], f"compiled catalogues are built by make compilemessages, never committed: {tracked}"
    assert "*.mo" in (ROOT / ".gitignore").read_text().split()
    assert Path(PO).with_suffix(".mo").exists()  # tests/conftest.py built it

"""A stored case document is served only by the code that built it (casedocs.buildkey): after a deploy that changes
how a case is shown, what the old code stored is built again, never served."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from casedocs import buildkey, services
from casedocs.models import CaseDocument
from detainees.models import Detainee

pytestmark = pytest.mark.django_db

FRESH = override_settings(PAGE_CACHE_SECONDS=0)
BEFORE = "0123456789abcdef"  # what the code before a deploy stored


def stored_before_the_deploy(client, person: Detainee) -> CaseDocument:
    """The person's page and API document, stored by "the old code": built now, then marked as built with another
    key and altered as the old code would have shown them."""
    with FRESH:
        client.get(f"/detainees/{person.slug}/")
        client.get(f"/api/v1/detainees/{person.pk}/")
    document = CaseDocument.objects.get(pk=person.pk)
    assert document.built_with == buildkey.build_key() and document.page and document.api
    CaseDocument.objects.filter(pk=person.pk).update(
        built_with=BEFORE, page=document.page.replace(person.name, "OLD PICTURE"),
        api=document.api.replace(person.name, "OLD PICTURE"),
    )  # fmt: skip
    return CaseDocument.objects.get(pk=person.pk)


def test_what_other_code_stored_is_stale_and_built_again_on_the_next_visit(client, demo):
    person = Detainee.objects.get(slug="brittney-griner")
    before = stored_before_the_deploy(client, person)
    assert services.stale().filter(pk=person.pk).exists() and not services.current().filter(pk=person.pk).exists()
    with FRESH:
        page = client.get(f"/detainees/{person.slug}/").content.decode()
        api = client.get(f"/api/v1/detainees/{person.pk}/").json()
    assert "OLD PICTURE" not in page and person.name in page
    assert api["name"] == person.name
    after = CaseDocument.objects.get(pk=person.pk)
    assert after.built_with == buildkey.build_key() and after.version > before.version
    assert "OLD PICTURE" not in after.page and services.current().filter(pk=person.pk).exists()


def test_the_build_command_rebuilds_what_other_code_stored(client, demo):
    person = Detainee.objects.get(slug="paul-whelan")
    stored_before_the_deploy(client, person)
    call_command("build_case_documents", "--stale", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert CaseDocument.objects.get(pk=person.pk).built_with == buildkey.build_key()
    assert "OLD PICTURE" not in CaseDocument.objects.get(pk=person.pk).api


def test_the_key_covers_what_makes_a_document_and_not_what_does_not():
    names = {str(path.relative_to(buildkey.BASE)) for path in buildkey.files()}
    assert {"templates/detainees/detainee_detail.html", "detainees/selectors.py", "detainees/documents.py",
            "common/templatetags/tracker.py", "locale/ru/LC_MESSAGES/django.po", "config/settings.py"} <= names
    assert not {n for n in names if "/migrations/" in n or n.startswith("templates/admin/")
                or n.split("/")[-1].startswith("admin") or "/management/" in n}  # fmt: skip


def test_the_key_moves_when_a_file_it_covers_changes(tmp_path, monkeypatch):
    for name in ("templates/detainees/detainee_detail.html", "detainees/selectors.py", "detainees/admin.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one")
    monkeypatch.setattr(buildkey, "BASE", tmp_path)
    key = buildkey.build_key.__wrapped__
    first = key()
    (tmp_path / "detainees/admin.py").write_text("two")  # the admin makes no public document
    assert key() == first
    (tmp_path / "templates/detainees/detainee_detail.html").write_text("two")
    assert key() != first

"""h59: a signed-in editor on a public case page had no way to its editor. The page links to the one-screen editor
for users with the change permission, and only for them: the stored anonymous page (casedocs) and the page cache
never hold the link."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from casedocs.models import CaseDocument
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    person = DetaineeFactory(name="Edit Link Test")
    DetentionFactory(detainee=person).sources.add(SourceFactory())
    return person


def edit_href(person) -> str:
    return f'href="{reverse("admin:detainees_case_edit", args=[person.pk])}"'


@override_settings(CASE_DOCUMENTS=True, PAGE_CACHE_SECONDS=600)
def test_an_editor_sees_the_edit_link_and_the_stored_and_cached_pages_never_hold_it(case, editor):
    url = case.get_absolute_url()
    anonymous = Client()
    first = anonymous.get(url)
    assert first.status_code == 200 and edit_href(case) not in first.content.decode()
    stored = CaseDocument.objects.get(pk=case.pk).page
    assert stored and "Edit Link Test" in stored and edit_href(case) not in stored
    signed_in = Client()
    signed_in.force_login(editor)
    for path in (url, "/ru" + url):
        html = signed_in.get(path).content.decode()
        assert edit_href(case) in html, path
    assert "Edit this case" in signed_in.get(url).content.decode()
    # After the editor's visit, the public still gets a page without it, stored or cached, in both languages.
    for path in (url, "/ru" + url, url):
        assert edit_href(case) not in anonymous.get(path).content.decode()
    assert edit_href(case) not in CaseDocument.objects.get(pk=case.pk).page


def test_a_signed_in_reader_without_the_change_permission_gets_no_edit_link(case):
    reader = Client()
    reader.force_login(UserFactory())
    assert edit_href(case) not in reader.get(case.get_absolute_url()).content.decode()

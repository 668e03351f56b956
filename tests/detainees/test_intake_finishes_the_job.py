"""Issue #14 item 5: article intake that finishes the job — admin styling and typed dates, no article entered twice,
a citation attached to the fact the article supports, statements prefilled with the case, and people not on file
offered as draft cases. Test articles here are made up for the test (example.org), never demo data."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from detainees.models import Detainee
from sources.models import Source
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    EditorFactory,
    OutletFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
INTAKE = "admin:detainees_intake"
TEXT = ("Test article. US Army Staff Sergeant Gordon Black was detained in Vladivostok. Paul Whelan was not "
        "mentioned before. Yesterday Gordon Black appeared in court, his lawyer Alexandra Dmitrieva said.")  # fmt: skip


def post_article(client, **fields):
    data = {"url": "https://example.org/news/article-1", "title": "A test article", "published_on": "May 2024",
            "text": TEXT, **fields}  # fmt: skip
    return client.post(reverse(INTAKE), data)


def test_intake_is_styled_like_the_admin_and_takes_dates_as_sources_give_them(editor_client):
    page = editor_client.get(reverse(INTAKE)).content.decode()
    assert "admin/css/forms.css" in page and 'class="form-row field-url' in page
    response = post_article(editor_client)
    source = Source.objects.get(url="https://example.org/news/article-1")
    assert response.status_code == 302
    assert (source.published_on.isoformat(), source.published_on_precision) == ("2024-05-01", "month")


def test_the_same_address_copied_differently_is_refused_with_a_link_to_the_article_on_file(editor_client):
    first = SourceFactory(url="https://www.example.org/news/article-1", title="On file")
    for copy in ("http://example.org/news/article-1/", "https://example.org/news/article-1?utm_source=x#top"):
        response = post_article(editor_client, url=copy)
        assert response.status_code == 200
        page = response.content.decode()
        assert "This article is on file already as source" in page
        assert reverse("admin:detainees_intake_review", args=[first.pk]) in page
    assert Source.objects.count() == 1
    api = APIClient()
    api.force_authenticate(EditorFactory())
    copy = {"title": "Copy", "url": "http://EXAMPLE.org/news/article-1/"}
    refused = api.post("/api/v1/sources/", copy, format="json")
    assert refused.status_code == 409 and "url" in refused.json()  # a clash with a record on file: 409
    other = {"title": "Another", "url": "https://example.org/news/article-2"}
    kept = api.post("/api/v1/sources/", other, format="json")
    assert kept.status_code == 201


def test_same_outlet_date_and_title_warns_and_only_a_tick_saves_it(editor_client):
    outlet = OutletFactory()
    first = post_article(editor_client, outlet=outlet.pk, url="https://example.org/a")
    assert first.status_code == 302
    again = post_article(editor_client, outlet=outlet.pk, url="https://example.org/b", title="  a TEST article ")
    page = again.content.decode()
    assert again.status_code == 200 and "Already on file" in page and "It is a different article" in page
    assert Source.objects.count() == 1
    ticked = post_article(editor_client, outlet=outlet.pk, url="https://example.org/b", different_article="on")
    assert ticked.status_code == 302 and Source.objects.count() == 2


def test_cite_in_the_facts_the_article_supports_not_the_identity_line(editor_client):
    person = DetaineeFactory(name="Paul Whelan", is_published=False)  # its facts are not sourced yet
    detention = DetentionFactory(detainee=person)
    charge = ChargeFactory(detention=detention)
    other_case_charge = ChargeFactory()
    source = Source.objects.create(title="T", url="https://example.org/t", text=TEXT)
    review = reverse("admin:detainees_intake_review", args=[source.pk])
    page = editor_client.get(review).content.decode()
    assert f'value="charge:{charge.pk}"' in page and f'value="detention:{detention.pk}"' in page
    assert "Which facts does the article support?" in page
    editor_client.post(review, {"cite": person.pk, "fact": [f"charge:{charge.pk}"]})
    assert list(charge.sources.all()) == [source]
    assert not person.sources.exists() and not detention.sources.exists()
    # A fact of another case, or no fact at all, is refused with a message; nothing is cited.
    response = editor_client.post(review, {"cite": person.pk, "fact": [f"charge:{other_case_charge.pk}"]}, follow=True)
    assert "Not a fact of Paul Whelan" in response.content.decode() and not other_case_charge.sources.exists()
    response = editor_client.post(review, {"cite": person.pk}, follow=True)
    assert "Tick the facts this article supports" in response.content.decode()
    assert "(✔ cited)" in editor_client.get(review).content.decode()


def test_add_a_statement_comes_prefilled_with_the_cases_the_article_names(editor_client):
    person = DetaineeFactory(name="Paul Whelan")
    source = Source.objects.create(title="T", url="https://example.org/t", text=TEXT)
    page = editor_client.get(reverse("admin:detainees_intake_review", args=[source.pk]))
    link = page.context["statement_add"]
    assert f"detainees={person.pk}" in link and f"source={source.pk}" in link
    form = editor_client.get(link).context["adminform"].form
    assert [str(pk) for pk in form.initial["detainees"]] == [str(person.pk)]
    assert str(form.initial["source"]) == str(source.pk)


def test_people_named_but_not_on_file_are_offered_as_draft_cases(editor_client, client):
    DetaineeFactory(name="Paul Whelan")
    source = Source.objects.create(title="T", url="https://example.org/t", text=TEXT)
    review = reverse("admin:detainees_intake_review", args=[source.pk])
    offered = [n.name for n in editor_client.get(review).context["result"].new_names]
    assert offered[0] == "Gordon Black" and "Alexandra Dmitrieva" in offered
    assert not {"Paul Whelan", "Staff Sergeant", "Yesterday Gordon Black", "Army Staff"} & set(offered)
    editor_client.post(review, {"new_case": "Gordon Black"})
    person = Detainee.objects.get(name="Gordon Black")
    assert not person.is_published and list(person.sources.all()) == [source]
    # a draft stays with editors: `client` is the editor's (editor_client logs it in), so ask as an anonymous reader;
    # the API's slug address (h46) answers 301 only to those who may see the case
    assert Client().get(f"/api/v1/detainees/{person.slug}/").status_code == 404
    assert client.get(f"/api/v1/detainees/{person.slug}/").status_code == 301
    assert "Gordon Black" not in [n.name for n in editor_client.get(review).context["result"].new_names]

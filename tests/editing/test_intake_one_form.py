"""Intake keeps every tick: one form, one button, every fact ticked in every case cited, and the confirmation lists
exactly what was cited (issue 26, item 4)."""

import pytest
from django.urls import reverse

from sources.models import Source
from tests.factories import ChargeFactory, DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db

TEXT = ("Test article. Trevor Reed was exchanged for Konstantin Yaroshenko. Months later Brittney Griner was "
        "exchanged for Viktor Bout.")  # fmt: skip


@pytest.fixture
def two_cases():
    reed = DetaineeFactory(name="Trevor Reed", is_published=False)
    griner = DetaineeFactory(name="Brittney Griner", is_published=False)
    reed_charge = ChargeFactory(detention=DetentionFactory(detainee=reed))
    griner_detention = DetentionFactory(detainee=griner)
    source = Source.objects.create(title="Test swaps", url="https://example.org/swaps", text=TEXT)
    return reed, reed_charge, griner, griner_detention, source


def test_one_button_cites_the_ticks_of_every_case_and_says_exactly_which(editor_client, two_cases):
    reed, reed_charge, griner, griner_detention, source = two_cases
    review = reverse("admin:detainees_intake_review", args=[source.pk])
    page = editor_client.get(review).content.decode()
    assert page.count('<form method="post" class="intake-cases">') == 1 and page.count('name="cite_all"') == 1
    assert f'name="fact-{reed.pk}" value="charge:{reed_charge.pk}"' in page
    assert f'name="fact-{griner.pk}" value="detention:{griner_detention.pk}"' in page
    response = editor_client.post(review, {"cite_all": "1", f"fact-{reed.pk}": [f"charge:{reed_charge.pk}"],
                                           f"fact-{griner.pk}": [f"detention:{griner_detention.pk}"]},
                                  follow=True)  # fmt: skip
    assert list(reed_charge.sources.all()) == [source]
    assert list(griner_detention.sources.all()) == [source]
    confirmation = [str(m) for m in response.context["messages"]]
    assert len(confirmation) == 1
    assert "<li>Trevor Reed: " in confirmation[0] and "<li>Brittney Griner: " in confirmation[0]
    assert confirmation[0].count("<li>") == 2
    assert not reed.sources.exists() and not griner.sources.exists()  # only what was ticked


def test_a_tick_that_is_not_a_fact_of_its_case_cites_nothing_anywhere(editor_client, two_cases):
    reed, reed_charge, griner, griner_detention, source = two_cases
    review = reverse("admin:detainees_intake_review", args=[source.pk])
    response = editor_client.post(review, {"cite_all": "1", f"fact-{reed.pk}": [f"charge:{reed_charge.pk}"],
                                           f"fact-{griner.pk}": [f"charge:{reed_charge.pk}"]},
                                  follow=True)  # fmt: skip
    assert "Nothing was cited" in response.content.decode()
    assert not reed_charge.sources.exists() and not griner_detention.sources.exists()


def test_no_tick_at_all_is_said_and_cites_nothing(editor_client, two_cases):
    *_, source = two_cases
    review = reverse("admin:detainees_intake_review", args=[source.pk])
    response = editor_client.post(review, {"cite_all": "1"}, follow=True)
    assert "Tick the facts this article supports" in response.content.decode()


# --- an article already on file, under another title or address -------------------------------------------------


def post_article(client, **fields):
    data = {"title": "A test article", "published_on": "17 August 2023", "text": "Test text.", **fields}
    return client.post(reverse("admin:detainees_intake"), data)


def test_the_demo_tass_report_is_recognised_under_another_title_and_address(demo, editor_client):
    """The demo's TASS report of 17 August 2023 (its title an editor's description) was entered a second time under
    a different title: same outlet and day, a title that cannot be compared, so intake asks first."""
    on_file = Source.objects.get(published_on="2023-08-17", title__startswith="Antonov on Russians")
    response = post_article(editor_client, outlet=on_file.outlet_id, url="https://example.org/test-copy",
                            title="Russian envoy: special channel freed Bout and Yaroshenko")  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and "It is a different article" in html
    assert reverse("admin:detainees_intake_review", args=[on_file.pk]) in html  # the one on file, linked
    assert not Source.objects.filter(title__startswith="Russian envoy").exists()


def test_a_similar_headline_from_the_same_outlet_and_day_is_asked_about(editor_client):
    from tests.factories import OutletFactory

    outlet = OutletFactory()
    assert post_article(editor_client, outlet=outlet.pk, url="",
                        title="Russia and US swap prisoners in Abu Dhabi").status_code == 302  # fmt: skip
    similar = post_article(editor_client, outlet=outlet.pk, url="https://example.org/other-address",
                           title="Russia, US swap prisoners at Abu Dhabi airport")  # fmt: skip
    assert similar.status_code == 200 and "It is a different article" in similar.content.decode()
    other = post_article(editor_client, outlet=outlet.pk, url="", title="Central bank raises the key rate")
    assert other.status_code == 302  # another story of the same day is not held up
    next_day = post_article(editor_client, outlet=outlet.pk, url="", published_on="18 August 2023",
                            title="Russia and US swap prisoners in Abu Dhabi")  # fmt: skip
    assert next_day.status_code == 302


def test_similar_titles():
    from sources.models import similar_titles

    assert similar_titles("Antonov: swap channel works", "Antonov says the channel works")
    assert not similar_titles("Antonov: swap channel works", "Central bank raises the key rate")
    assert similar_titles("A TEST  article", "a test article")

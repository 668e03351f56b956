"""The methodology page, and the footer link to it from every page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_methodology_page_explains_terms_sources_dates_corrections_licence_and_contact(client, settings):
    settings.CONTACT_EMAIL = "editors@example.org"
    response = client.get(reverse("about"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ["What the terms mean", "How sources are chosen and cited", "Dates and “last confirmed”",
                    "Corrections", "Licence and how to cite the dataset", "Reaching the editors"]:  # fmt: skip
        assert f">{heading}</h2>" in html
    for term in ["Detention", "Exchange", "Status", "Designation"]:
        assert f"<dt>{term}</dt>" in html
    assert 'href="mailto:editors@example.org"' in html
    assert reverse("api:dump") in html


def test_without_a_contact_address_the_page_says_so(client, settings):
    settings.CONTACT_EMAIL = ""
    html = client.get(reverse("about")).content.decode()
    assert "mailto:" not in html and "No contact address is configured" in html


@pytest.mark.parametrize("url", ["/", "/detainees/", "/exchanges/", "/sources/", "/statements/", "/about/",
                                 "/no-such-page/"])  # fmt: skip
def test_every_page_footer_links_to_the_methodology(client, demo, url):
    response = client.get(url)
    footer = response.content.decode().split('<footer class="site-footer">')[1]
    assert f'href="{reverse("about")}"' in footer

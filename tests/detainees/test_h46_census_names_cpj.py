"""The census page names whose census of imprisoned journalists it follows, in both languages."""

import pytest

pytestmark = pytest.mark.django_db


def test_census_page_names_the_committee_to_protect_journalists(client):
    html = " ".join(client.get("/census/").content.decode().split())
    assert "the Committee to Protect Journalists (CPJ)" in html


def test_russian_census_page_names_it_too(client):
    html = " ".join(client.get("/ru/census/").content.decode().split())
    assert "Комитет защиты журналистов (CPJ)" in html or "Комитета защиты журналистов (CPJ)" in html

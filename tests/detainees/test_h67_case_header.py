"""A new user's case page (h67): "Penal colony IK-17, Mordovia (penal colony)" said the kind twice, and "Follow this
case" sat between the English name and the name in its own script."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory, TransferFactory

pytestmark = pytest.mark.django_db


@override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)
def test_a_facilitys_kind_is_said_once_and_the_original_name_follows_the_names(client):
    person = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", is_published=True)
    person.sources.add(SourceFactory())
    detention = DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2018, 12, 28))
    detention.sources.add(SourceFactory())
    TransferFactory(detention=detention, moved_on=datetime.date(2020, 8, 5),
                    facility_name="Penal colony IK-17, Mordovia", facility_kind="penal_colony")  # fmt: skip
    TransferFactory(detention=detention, moved_on=datetime.date(2019, 1, 1), facility_name="Lefortovo",
                    facility_kind="pre_trial_centre")  # fmt: skip
    cache.clear()
    page = " ".join(client.get(f"/detainees/{person.slug}/").content.decode().split())
    assert page.lower().count("(penal colony)") == 0
    assert "Penal colony IK-17, Mordovia, as of the latest move on file" in page
    assert "Lefortovo (pre-trial centre)" in page  # a kind the name does not say is still said
    ru = " ".join(client.get(f"/ru/detainees/{person.slug}/").content.decode().split())
    assert '<span lang="en">Penal colony IK-17, Mordovia</span> (исправительная колония)' in ru  # not said in Russian
    header = page.split('<header class="case-header">', 1)[1].split("</header>", 1)[0]
    assert header.index("</h1>") < header.index('class="original"') < header.index("Follow this case")

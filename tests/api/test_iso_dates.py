"""A date in a filter is YYYY-MM-DD on every list, page and API alike: 02/08/2024 is a 400 naming the parameter,
never silently 8 February (or 2 August)."""

import django_filters
import pytest
from django.urls import reverse

from common.filters import IsoDateFilter
from config.api_urls import router

pytestmark = pytest.mark.django_db


def test_every_date_filter_of_every_list_takes_iso_dates_only():
    checked = 0
    for _, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, flt in (filterset.base_filters.items() if filterset else ()):
            if isinstance(flt, django_filters.DateFilter):
                assert isinstance(flt, IsoDateFilter), f"{filterset.__name__}.{name}"
                checked += 1
    assert checked >= 8  # held_on, detained_from/to, date_from/to, sentenced_from/to, published_from/to…


@pytest.mark.parametrize("value", ["02/08/2024", "2 August 2024", "2024/08/02"])
def test_a_date_in_another_form_is_a_400_naming_the_parameter(client, value):
    response = client.get(reverse("api:detainee-list"), {"held_on": value})
    assert response.status_code == 400 and "held_on" in response.json()
    assert "YYYY-MM-DD" in str(response.json()["held_on"])
    page = client.get(reverse("detainees:detainee-list"), {"held_on": value})
    assert page.status_code == 400
    assert client.get(reverse("api:detainee-list"), {"held_on": "2024-08-02"}).status_code == 200

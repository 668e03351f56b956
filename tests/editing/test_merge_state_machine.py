"""The published-means-sourced state machine with merge steps (issue 26, item 2): stale admin forms and stale
If-Match PATCHes, each racing another write to the same record, merge three ways. After every step no published
case has an unsourced fact, and a merged save never reverts the other writer's field."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from detainees.models import Detention
from tests.admin_helpers import inline_management_data
from tests.factories import EditorFactory
from tests.hypothesis_profiles import examples
from tests.test_sourcing_state_machine import Writes

pytestmark = pytest.mark.django_db


def detention_form(client, detention) -> tuple[str, dict]:
    url = f"/admin/detainees/detention/{detention.pk}/change/"
    page = client.get(url)
    data = inline_management_data(page)
    form = page.context["adminform"].form
    for name in ("detainee", "held_by", "place", "circumstances", "detained_on", "detained_on_precision",
                 "released_on_precision", "last_confirmed_on_precision", "end_reason"):  # fmt: skip
        value = form[name].value()
        if value not in (None, ""):
            data[name] = str(value)
    data["sources"] = [str(pk) for pk in detention.sources.values_list("pk", flat=True)]
    return url, data


class WritesWithMerges(Writes):
    def __init__(self):
        super().__init__()
        self.other = Client()
        self.other.force_login(EditorFactory())
        self.step = 0

    @rule(index=st.integers(0, 1), clear_sources=st.booleans())
    def a_stale_admin_form_merges_with_an_api_write(self, index, clear_sources):
        """Editor two loads a detention; a script changes its place; editor two saves another field (and maybe
        un-cites the source): the place stays the script's, and an unsourced published fact is still refused."""
        self.step += 1
        detention = self.detention_of(index)
        url, data = detention_form(self.other, detention)
        place = f"Place set by the script {self.step}"
        self.api.patch(f"/api/v1/detentions/{detention.pk}/", {"place": place}, format="json")
        data["circumstances"] = f"Circumstances by editor two {self.step}"
        if clear_sources:
            data["sources"] = []
        self.other.post(url, data)
        after = Detention.objects.filter(pk=detention.pk).first()
        if after is not None and after.place != data.get("place"):
            assert after.place in (place, detention.place)  # never the stale form's copy written back over it

    @rule(index=st.integers(0, 1), clear_sources=st.booleans())
    def a_stale_if_match_patch_merges(self, index, clear_sources):
        self.step += 1
        detention = self.detention_of(index)
        url = f"/api/v1/detentions/{detention.pk}/"
        etag = self.api.get(url)["ETag"]
        place = f"Place by editor one {self.step}"
        self.api.patch(url, {"place": place}, format="json")
        body = {"circumstances": f"By editor two {self.step}", **({"sources": []} if clear_sources else {})}
        response = self.api.patch(url, body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code in (200, 400, 412), response.status_code
        if response.status_code == 200:
            assert Detention.objects.get(pk=detention.pk).place == place  # editor one's change survived


@pytest.mark.slow
def test_no_sequence_of_writes_and_merges_leaves_a_published_fact_unsourced(db):
    run_state_machine_as_test(
        WritesWithMerges,
        settings=settings(max_examples=examples(10), stateful_step_count=8, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )  # fmt: skip

"""/groups/ and /officials/: every group and official on file is reachable from a list, with public counts only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_groups_index_lists_each_group_with_the_people_it_held(client, demo):
    from detainees.models import Group

    page = client.get(reverse("groups:group-list"))
    html = page.content.decode()
    assert page.status_code == 200
    for group in Group.objects.all():
        assert f'href="{group.get_absolute_url()}"' in html
    hamas = next(g for g in page.context["object_list"] if g.name == "Hamas")
    assert hamas.people_held == 1  # Gilad Shalit
    assert reverse("groups:group-list") in client.get("/").content.decode()  # reachable from every page's footer


def test_officials_index_lists_each_official_with_their_public_statements(client, demo):
    from sources.models import Official

    page = client.get(reverse("sources:official-list"))
    html = page.content.decode()
    for official in Official.objects.all():
        assert f'href="{official.get_absolute_url()}"' in html
    counts = {o.name: o.statements_on_file for o in page.context["object_list"]}
    assert counts["Anatoly Antonov"] == Official.objects.get(name="Anatoly Antonov").statements.count() >= 1
    assert reverse("sources:official-list") in client.get(reverse("sources:statement-list")).content.decode()

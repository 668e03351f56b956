"""After a refused save on the one-screen editor, empty rows stay empty and silent (issue 26, item 3)."""

import pytest
from django.urls import reverse

from detainees.models import Detainee
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:detainees_case_entry")

# What a browser posts for a new case typed into the screen as it opens: the person, a source and a detention
# filled in, the empty charge and sentence rows posted as they are (defaults selected, source boxes ticked).
TYPED = {
    "person-name": "Siamak Namazi",
    "person-citizenships": ["US", "IR"],
    "src-0-url": "https://example.org/test-namazi",
    "src-0-title": "Test article (test data)",
    "det-0-held_by": "IR",
    "det-0-place": "Evin prison",
    "det-0-detained_on": "October 2015",
}


def new_case(client, **changes) -> dict:
    from tests.detainees.test_case_entry import screen_data

    data = screen_data(client.get(URL))
    assert {"det-0-charge-0", "det-0-sentence-0"} <= set(data["rows"])
    return {**data, **TYPED, **changes}


def test_a_duplicate_warning_leaves_the_empty_rows_silent_and_counts_one_row(editor_client):
    DetaineeFactory(name="Siamak Namazi")
    response = editor_client.post(URL, new_case(editor_client))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." not in html
    assert "Not saved: 1 row to correct" in html
    assert Detainee.objects.filter(name="Siamak Namazi").count() == 1


def test_a_missing_source_refusal_leaves_the_empty_rows_silent(editor_client):
    data = new_case(editor_client, **{"person-is_published": "on", "det-0-cites": []})
    response = editor_client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cite a source for every fact" in html
    assert "This field is required." not in html and "rows to correct" not in html
    assert not Detainee.objects.filter(name="Siamak Namazi").exists()


def test_a_row_really_wrong_is_still_counted_and_marked(editor_client):
    data = new_case(editor_client, **{"det-0-sentence-0-sentenced_on": "31 February 2016"})
    response = editor_client.post(URL, data)
    html = response.content.decode()
    assert "Not saved: 1 row to correct" in html and "not a date in the calendar" in html
    assert "This field is required." not in html


def test_the_duplicate_warning_links_the_possible_duplicate(editor_client):
    """Issue 26, item 5: "Siamak Namazi (#30). Open them to check" named the record without a link."""
    on_file = DetaineeFactory(name="Siamak Namazi")
    url = reverse("admin:detainees_detainee_change", args=[on_file.pk])
    html = editor_client.post(URL, new_case(editor_client)).content.decode()
    assert f'<a href="{url}" target="_blank" rel="noopener">Siamak Namazi (#{on_file.pk})</a>' in html
    add = editor_client.post(reverse("admin:detainees_detainee_add"), {"name": "Siamak Namazi"}).content.decode()
    assert f'<a href="{url}"' in add


def test_outlets_and_groups_can_be_added_in_place_on_the_screen_and_in_intake(editor_client):
    """Issue 26, item 5: the admin's "+" pop-up beside the outlet (case entry, intake) and the holding group."""
    html = editor_client.get(URL).content.decode()
    outlet_add, group_add = reverse("admin:sources_outlet_add"), reverse("admin:detainees_group_add")
    assert 'id="add_id_src-0-outlet"' in html and f'href="{outlet_add}?_to_field=id&amp;_popup=1"' in html
    assert 'id="add_id_det-0-held_by_group"' in html and f'href="{group_add}?_to_field=id&amp;_popup=1"' in html
    assert 'id="add_id_src-__s__-outlet"' in html  # rows added in the browser have it too
    assert "admin/js/admin/RelatedObjectLookups.js" in html
    intake = editor_client.get(reverse("admin:detainees_intake")).content.decode()
    assert 'id="add_id_outlet"' in intake and 'id="add_id_via"' in intake
    assert "admin/js/admin/RelatedObjectLookups.js" in intake
    # the pop-up itself answers with the record for the opener to select
    popup = editor_client.post(f"{outlet_add}?_to_field=id&_popup=1",
                               {"name": "Reuters", "kind": "other", "country": "GB", "_popup": "1",
                                "_to_field": "id"})  # fmt: skip
    assert popup.status_code == 200 and b"popup-response" in popup.content and b"Reuters" in popup.content


def test_intake_adds_an_official_in_place_with_the_add_another_pop_up(editor_client):
    """Issue 26, item 5: "Create an official record" left intake for a full admin page; it opens the admin's pop-up,
    as "+" does for outlets and groups, and the new official comes back to the row (its id and name)."""
    from sources.models import Official, Source, Statement

    source = Source.objects.create(title="Report", text="Maria Zakharova spoke.")
    Statement.objects.create(speaker="Maria Zakharova", speaker_role="Foreign Ministry spokeswoman",
                             speaker_country="RU", source=source, summary="Spoke.")  # fmt: skip
    page = editor_client.get(reverse("admin:detainees_intake_review", args=[source.pk])).content.decode()
    official_add = reverse("admin:sources_official_add")
    assert 'id="add_id_new_official_1" class="related-widget-wrapper-link add-related" data-popup="yes"' in page
    query = "name=Maria+Zakharova&amp;role=Foreign+Ministry+spokeswoman&amp;country=RU&amp;_popup=1"
    assert f'href="{official_add}?{query}"' in page
    assert '<select id="id_new_official_1"' in page  # where the pop-up puts the new official
    assert "admin/js/admin/RelatedObjectLookups.js" in page and "admin-extra/official-added.js" in page
    popup = editor_client.post(f"{official_add}?_popup=1", {"name": "Maria Zakharova", "role": "spokeswoman",
                                                            "country": "RU", "_popup": "1"})  # fmt: skip
    official = Official.objects.get(name="Maria Zakharova")
    assert popup.status_code == 200 and b"popup-response" in popup.content
    assert f"&quot;value&quot;: &quot;{official.pk}&quot;".encode() in popup.content

"""The admin home is a working desk: add a case first, drafts with what they still need, colleagues' changes."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory, EditorFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_admin_home_lists_drafts_with_what_they_need_and_changes_by_others(editor_client, editor):
    source = SourceFactory()
    ready = DetaineeFactory(name="Ready Person", is_published=False)
    ready.sources.add(source)
    waiting = DetaineeFactory(name="Waiting Person", is_published=False)
    DetentionFactory(detainee=waiting, held_by="BY")
    DetaineeFactory(name="Published Person")
    colleague = EditorFactory(username="colleague")
    for user, name in ((colleague, "Their edit"), (editor, "My own edit")):
        LogEntry.objects.create(user=user, content_type=ContentType.objects.get_for_model(Detainee),
                                object_id=str(ready.pk), object_repr=name, action_flag=CHANGE)  # fmt: skip
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert html.index("Add a case") < html.index("Drafts waiting for sources") < html.index("Recent changes by others")
    assert "Ready Person" in html and "ready to publish" in html
    assert "Waiting Person" in html and "the person&#x27;s own record cites no source" in html.lower()
    assert "Detention “Waiting Person held by Belarus" in html
    assert "Published Person" not in _section(html, "Drafts waiting for sources")  # (though no custody is on file)
    others = html[html.index("Recent changes by others") :]
    others = others[: others.index("</table>")]
    assert "Their edit" in others and "by colleague" in others and "My own edit" not in others


def _section(html: str, heading: str) -> str:
    part = html[html.index(heading) :]
    return part[: part.index("</table>")]


def test_desk_lists_people_still_held_but_not_confirmed_for_six_months(editor_client):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    months_ago = lambda n: today - datetime.timedelta(days=30 * n)  # noqa: E731
    DetentionFactory(detainee__name="Silent Eight", detained_on=months_ago(20), last_confirmed_on=months_ago(8))
    DetentionFactory(detainee__name="Never Confirmed", detained_on=months_ago(12), last_confirmed_on=None)
    DetentionFactory(detainee__name="Fresh News", detained_on=months_ago(20), last_confirmed_on=months_ago(2))
    DetentionFactory(detainee__name="Recently Held", detained_on=months_ago(3), last_confirmed_on=None)
    DetentionFactory(detainee__name="Long Released", detained_on=months_ago(30), released_on=months_ago(25),
                     end_reason="released")  # fmt: skip
    stale = _section(editor_client.get(reverse("admin:index")).content.decode(), "not confirmed for over six months")
    assert stale.index("Never Confirmed") < stale.index("Silent Eight")  # the longest silence first
    assert "never confirmed since detention" in stale and "last confirmed" in stale
    for fresh in ("Fresh News", "Recently Held", "Long Released"):
        assert fresh not in stale


def test_desk_lists_new_entries_that_resemble_a_case_on_file(editor_client):
    DetaineeFactory(name="Evan Gershkovich")
    DetaineeFactory(name="Evan Gershkovitch", is_published=False)
    DetaineeFactory(name="Someone Else Entirely", is_published=False)
    duplicates = _section(editor_client.get(reverse("admin:index")).content.decode(), "Possible duplicates")
    assert "Evan Gershkovitch" in duplicates and "resembles" in duplicates and "Evan Gershkovich<" in duplicates
    assert "Someone Else Entirely" not in duplicates


def test_security_tables_sit_below_the_case_records_and_auth_groups_are_not_confused_with_armed_groups(client):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    apps = [app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]]
    assert apps[:3] == ["detainees", "exchanges", "sources"]
    security = [apps.index(label) for label in ("auth", "authtoken", "axes") if label in apps]
    assert security and min(security) > max(apps.index(a) for a in apps if a not in ("auth", "authtoken", "axes"))
    app_list = client.get(reverse("admin:index")).context["app_list"]
    auth = next(app for app in app_list if app["app_label"] == "auth")
    assert auth["name"] == "Security: accounts and permissions"
    assert "Permission groups" in [m["name"] for m in auth["models"]]


def test_with_review_off_the_desk_says_so_instead_of_an_empty_to_check(editor_client, settings):
    settings.REVIEW_REQUIRED = False
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Review is off on this site" in html and "Nothing waits for a second editor" not in html
    settings.REVIEW_REQUIRED = True
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Review is off" not in html and "Nothing waits for a second editor" in html


def test_a_case_awaiting_review_is_listed_to_check_not_as_a_draft_ready_to_publish(editor_client, settings):
    from common import review
    from common.integrity import checked_writes

    settings.REVIEW_REQUIRED = True
    source = SourceFactory()
    person = DetaineeFactory(name="Siamak Namazi", is_published=False)
    person.sources.add(source)
    with review.acting_as(EditorFactory()), checked_writes():
        person.is_published = True
        person.save()
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Siamak Namazi" in _section(html, "To check (1)")
    assert "Siamak Namazi" not in _section(html, "Drafts waiting for sources")


def test_the_review_diff_shows_dates_as_readers_see_them_not_internals(editor_client, settings):
    import datetime

    from rest_framework.test import APIClient

    from common.models import ReviewItem

    settings.REVIEW_REQUIRED = True
    source = SourceFactory()
    person = DetaineeFactory(name="Siamak Namazi")
    person.sources.add(source)
    detention = DetentionFactory(detainee=person, detained_on=datetime.date(2015, 10, 13))
    detention.sources.add(source)
    api = APIClient()
    api.force_authenticate(EditorFactory())
    response = api.patch(reverse("api:detention-detail", args=[detention.pk]),
                         {"detained_on": "2015-10-01", "detained_on_precision": "month"}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    item = ReviewItem.objects.get(outcome="")
    html = editor_client.get(reverse("admin:common_reviewitem_change", args=[item.pk])).content.decode()
    assert "13 October 2015" in html and "October 2015" in html
    assert " as of " not in html and "precision" not in html.lower() and "2015-10-01" not in html


def test_each_desk_list_links_to_all_of_it_paged(editor_client):
    for n in range(17):
        DetaineeFactory(name=f"Draft Person {n:02}", is_published=False)
    html = editor_client.get(reverse("admin:index")).content.decode()
    drafts = _section(html, "Drafts waiting for sources")
    assert drafts.count("Draft Person") == 15 and "See all 17" in drafts
    url = reverse("desk-list", args=["drafts"])
    assert url in drafts
    full = editor_client.get(url).content.decode()
    assert full.count("Draft Person") == 17 and "Page 1 of 1 (17 in all)" in full
    for section in ("stale", "no-custody", "to-check"):
        assert editor_client.get(reverse("desk-list", args=[section])).status_code == 200
    assert editor_client.get(reverse("desk-list", args=["nothing"])).status_code == 404

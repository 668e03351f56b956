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

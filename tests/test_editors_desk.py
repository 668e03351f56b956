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
    assert "Published Person" not in html
    others = html[html.index("Recent changes by others") :]
    others = others[: others.index("</table>")]
    assert "Their edit" in others and "by colleague" in others and "My own edit" not in others

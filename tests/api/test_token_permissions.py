"""The API's token and its account's permissions, read in one statement (`common.authentication`), and nothing of
them kept across requests: a permission withdrawn, an account deactivated or a token deleted takes effect on the
next request."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee

pytestmark = pytest.mark.django_db


def _patch(client, person, text):
    return client.patch(f"/api/v1/detainees/{person.pk}/", {"description": text}, format="json")


@pytest.fixture
def person(demo):
    return Detainee.objects.get(slug="paul-whelan")


def test_a_group_permission_withdrawn_refuses_the_next_write(editor, person):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert _patch(client, person, "By the group").status_code == 200
    editor.groups.clear()
    assert _patch(client, person, "No group").status_code == 403
    editor.user_permissions.add(Permission.objects.get(codename="change_detainee"))
    assert _patch(client, person, "Own permission").status_code == 200
    person.refresh_from_db()
    assert person.description == "Own permission"


def test_a_deactivated_account_or_a_deleted_token_is_refused_at_once(editor, person):
    token = Token.objects.create(user=editor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert _patch(client, person, "Active").status_code == 200
    editor.is_active = False
    editor.save()
    assert _patch(client, person, "Inactive").status_code == 401
    editor.is_active = True
    editor.save()
    assert _patch(client, person, "Active again").status_code == 200
    token.delete()
    assert _patch(client, person, "No token").status_code == 401
    person.refresh_from_db()
    assert person.description == "Active again"


def test_the_token_the_account_and_its_permissions_are_one_statement_on_postgresql(editor, person):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    with CaptureQueriesContext(connection) as queries:
        assert _patch(client, person, "Counted").status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    first_read = next(n for n, s in enumerate(statements) if '"detainees_detainee"' in s)
    before = [s for s in statements[:first_read] if not s.startswith("SAVEPOINT")]  # the token, the permissions
    separate = [s for s in statements if s.startswith('SELECT "django_content_type"')]  # ModelBackend's own
    if connection.vendor == "postgresql":  # one prepared statement (EXECUTE …), the permissions inside it
        assert len(before) == 1 and not separate, before
    else:  # no arrays: the token, then Django's two
        assert len(before) == 3 and len(separate) == 2, before

"""h63: the case page's person (for a visitor who sees no draft) is read with the ORM's own SQL compiled once per
database (`views.published_person`), not composed and compiled on every page (3,800 Python calls, a sixth of a cold
case page): the same instance, its select_related records with it, as `get_queryset()` gives; a draft or an unknown
slug is nobody."""

import datetime

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client, override_settings

from detainees.models import Detainee, Group
from detainees.views import published_person
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def described(obj) -> dict | None:
    if obj is None:
        return None
    fields = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    cached = {name: described(related) for name, related in obj._state.fields_cache.items()}
    return {**fields, "cached": cached, "db": obj._state.db, "adding": obj._state.adding}


def test_the_person_is_the_one_the_orm_reads():
    group = Group.objects.create(name="A Group")
    held = DetaineeFactory(name="Held Person", aliases=["Alias"], citizenships=["US", "RU"])
    DetentionFactory(detainee=held, held_by_group=group, held_by="", detained_on=datetime.date(2022, 1, 1))
    Detainee.objects.filter(pk=held.pk).refresh_status()
    bare = DetaineeFactory(name="No Custody")
    for person in (held, bare):
        ours = published_person(person.slug)
        orm = Detainee.objects.published().with_status().get(slug=person.slug)
        assert described(ours) == described(orm)
    assert published_person(held.slug).latest_detention.held_by_group.name == "A Group"
    assert published_person(DetaineeFactory(name="A Draft", is_published=False).slug) is None
    assert published_person("nobody-at-all") is None


@override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)
def test_a_case_page_compiles_no_sql_after_the_first(monkeypatch):
    client = Client()
    first, second = DetaineeFactory(name="First Person"), DetaineeFactory(name="Second Person")
    assert client.get(first.get_absolute_url()).status_code == 200
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self) or as_sql(self, *a, **k))
    assert client.get(second.get_absolute_url()).status_code == 200
    assert compiled == []
    draft = DetaineeFactory(name="Hidden Draft", is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404

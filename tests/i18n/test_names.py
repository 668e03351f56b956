"""Model and app names as the admin shows them: English plurals that are English ("stored censuses", not Django's
"stored censuss"), and every name in the Russian admin in Russian, the case entry's labels and currencies included
(issue 28's leftovers)."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils import translation

from common.i18n import OWN_APPS
from common.models import EditorLanguage

pytestmark = pytest.mark.django_db

PROJECT_APPS = {*OWN_APPS, "alerts", "reconcile"}
LATIN = re.compile(r"[A-Za-z]")


def models_shown():
    """Our apps' models (those the admin lists and those it names in history and permissions) and every model the
    admin lists, another package's too."""
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        if model._meta.app_label in PROJECT_APPS or model in admin.site._registry:
            yield model


def test_english_plurals_are_english():
    with translation.override("en"):
        for model in models_shown():
            plural = str(model._meta.verbose_name_plural)
            assert not plural.endswith(("ss", "xs", "zs", "chs", "shs", "eds", "ys")), model  # censuss, publisheds
    from casedocs.models import StoredCensus

    assert StoredCensus._meta.verbose_name_plural == "stored censuses"


def test_the_russian_admin_names_every_model_and_app_in_russian():
    with translation.override("ru"):
        for model in models_shown():
            for words in (model._meta.verbose_name, model._meta.verbose_name_plural):
                assert not LATIN.search(str(words)), (model, str(words))
        for label in {model._meta.app_label for model in admin.site._registry}:
            name = str(apps.get_app_config(label).verbose_name)
            assert not LATIN.search(name.replace("REST", "")), (label, name)


def test_the_russian_admin_sidebar_and_case_entry_read_russian(client, editor):
    editor.is_superuser = True
    editor.save()
    EditorLanguage.objects.create(user=editor, language="ru")
    client.force_login(editor)
    index = client.get("/admin/").content.decode()
    assert "Tasks Database Backend" not in index and "Фоновые задачи" in index
    html = client.get("/admin/detainees/detainee/case-entry/").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", html)
    for english in ("Aliases", "Title", "Outlet"):
        assert not [label for label in labels if label.startswith(english)], labels
    assert "Другие написания" in html and "Заголовок" in html and "Издание" in html
    assert "RUB — Российский рубль" in html and "Russian Ruble" not in html  # the fine's currency picker

"""The methodology page is the rules (issue 24, item 8): its vocabulary is made from the models' choices, and a
choice that the page does not explain fails here."""

import re

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse
from django_countries.fields import CountryField

from config.methodology import vocabulary

pytestmark = pytest.mark.django_db


def fields_with_choices():
    """Every field with choices of the case apps, but country and language fields (ISO codes, not our words)."""
    for app in ("detainees", "exchanges", "sources"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            for field in model._meta.concrete_fields:
                if field.choices and field.name != "language" and not isinstance(field, CountryField):
                    yield model, field


@pytest.fixture
def page(client):
    return client.get(reverse("about")).content.decode()


@pytest.mark.parametrize(("model", "field"), list(fields_with_choices()), ids=lambda x: getattr(x, "name", str(x)))
def test_every_choice_of_every_field_is_explained_on_the_page(page, model, field):
    entries = [e for e in vocabulary() if {v for v, _ in field.choices} <= {r["value"] for r in e.rows()}]
    assert entries, f"{model.__name__}.{field.name}: no vocabulary entry on /about/ (config/methodology.py)"
    entry = entries[0]
    for row in entry.rows():
        assert row["meaning"], f"{entry.field}: the choice {row['value']!r} has no meaning in config/methodology.py"
        assert f'<dt id="{row["id"]}">{row["label"]} <code>{row["value"]}</code></dt>' in page


def test_the_page_says_what_the_rules_are(page):
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", page))
    assert "held by a state or by a non-state group" in text  # groups exist
    assert "Extradited extradited" in text and "Handed over handed_over" in text
    assert "No custody on file and no completed exchange" in text  # "unknown", not every person without custody
    assert "at least N days" in text and "count every day" not in text
    assert "No custody on file none" in text


def test_the_demo_states_a_licence_and_a_project_contact(client):
    assert "CC BY 4.0" in django_settings.DATA_LICENCE
    assert django_settings.CONTACT_EMAIL.endswith(".example")  # a reserved domain: nobody's real mailbox
    page = client.get(reverse("about")).content.decode()
    assert "The data is published under CC BY 4.0" in page
    assert f'href="mailto:{django_settings.CONTACT_EMAIL}"' in page

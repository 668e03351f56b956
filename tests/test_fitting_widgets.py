"""Issue #14 item 3: countries and currencies found by typing, ISO 4217 fines, a category for property crimes,
and precision help in plain words — on every admin form and every API write, not on one page."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_countries.fields import CountryField
from rest_framework.test import APIClient

from common.admin_widgets import CountrySearchSelect, CountrySearchSelectMultiple, CurrencySearchSelect
from detainees.models import Charge, ChargeCategory, Sentence

from .factories import ChargeFactory, DetentionFactory, EditorFactory, SourceFactory


def _country_fields(model):
    return [f.name for f in model._meta.get_fields() if isinstance(f, CountryField) and f.editable]


@pytest.mark.django_db
def test_every_country_field_in_every_admin_form_and_inline_is_found_by_typing(superuser):
    """Each admin add view's forms and the media its page prints, from the view's response left unrendered: rendering
    every add page (each country select with every country, in every inline's forms) was most of the test's time. The
    next test renders a page and finds the widget and its script in it."""
    factory = RequestFactory()
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(type("R", (), {"user": superuser})()):
            continue
        request = factory.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        request.user = superuser
        response = model_admin.add_view(request)
        assert response.status_code == 200, model
        context = response.context_data
        forms = [context["adminform"].form]
        forms += [inline.formset.empty_form for inline in context["inline_admin_formsets"]]
        for form in forms:
            for name in _country_fields(form._meta.model):
                if name not in form.fields:
                    continue
                widget = form.fields[name].widget
                assert isinstance(widget, CountrySearchSelect | CountrySearchSelectMultiple), (model, name)
                checked += 1
        if checked:
            assert "admin-extra/search-select.js" in str(context["media"]) or not _country_fields(model)
    assert checked >= 10  # citizenships, held_by, country, place_country, mediators, released_by, received_by…


@pytest.mark.django_db
def test_the_detainee_page_renders_citizenships_as_a_type_to_find_box(superuser, client):
    client.force_login(superuser)
    page = client.get(reverse("admin:detainees_detainee_add")).content.decode()
    assert 'class="search-select"' in page and 'name="citizenships"' in page
    assert "admin/js/vendor/select2/select2.full.min.js" in page  # served by the admin itself, no CDN
    assert "admin-extra/search-select.js" in page  # the page prints its forms' media (the test above reads them)


@pytest.mark.django_db
def test_the_fine_currency_is_chosen_among_iso_4217_codes_in_the_admin(superuser, client):
    client.force_login(superuser)
    detention = DetentionFactory()
    page = client.get(reverse("admin:detainees_sentence_add") + f"?detention={detention.pk}")
    field = page.context["adminform"].form.fields["fine_currency"]
    assert isinstance(field.widget, CurrencySearchSelect)
    assert ("RUB", "RUB — Russian Ruble") in field.choices and ("USD", "USD — US Dollar") in field.choices
    page = client.get(reverse("admin:detainees_detention_change", args=[detention.pk]))
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Sentence)
    assert isinstance(inline.formset.empty_form.fields["fine_currency"].widget, CurrencySearchSelect)


@pytest.mark.django_db
def test_a_currency_that_is_not_iso_4217_is_a_400_naming_the_field():
    api = APIClient()
    api.force_authenticate(EditorFactory())
    detention = DetentionFactory(detainee__is_published=False)
    body = {"detention": detention.pk, "sentenced_on": "2024-06-19", "term_months": 45, "fine_amount": "10000"}
    bad = api.post("/api/v1/sentences/", {**body, "fine_currency": "XYZ"}, format="json")
    assert bad.status_code == 400 and "fine_currency" in bad.json()
    assert "ISO 4217" in str(bad.json()["fine_currency"])
    good = api.post("/api/v1/sentences/", {**body, "fine_currency": "RUB"}, format="json")
    assert good.status_code == 201, good.json()


@pytest.mark.django_db
def test_property_crimes_have_their_own_category_through_the_api_and_its_filter():
    assert ChargeCategory.PROPERTY == "property"
    api = APIClient()
    api.force_authenticate(EditorFactory())
    detention = DetentionFactory(detainee__is_published=False)
    made = api.post(
        "/api/v1/charges/",
        {"detention": detention.pk, "category": "property", "statute": "Criminal Code art. 158",
         "description": "Theft.", "sources": [SourceFactory().pk]},
        format="json",
    )  # fmt: skip
    assert made.status_code == 201, made.json()
    ChargeFactory(detention=detention, category="drugs")
    listed = api.get("/api/v1/charges/", {"category": "property"}).json()
    assert [c["id"] for c in listed["results"]] == [made.json()["id"]]
    assert Charge.objects.get(pk=made.json()["id"]).get_category_display().startswith("Property crime")


def test_precision_help_is_in_plain_words():
    for model in [Sentence, Charge]:
        for field in model._meta.fields:
            if field.name.endswith("_precision"):
                assert "How precise" not in field.help_text and "_on" not in field.help_text
                assert "month only" in field.help_text and "the date of the" in field.help_text

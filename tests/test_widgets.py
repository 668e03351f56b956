"""Hand-built HTML that replaces Django's for speed must say the same thing."""

from django import forms
from django.test.html import parse_html

from common.filters import FastSelect

CHOICES = [("", "---------"), ("AX", "Åland Islands"), ("CI", "Côte d'Ivoire"), ("US", "United States <&>")]


def test_fast_select_renders_what_djangos_select_renders():
    for value in ["", "CI", None, "XX"]:
        attrs = {"id": "id_country", "aria-describedby": "help"}
        django = forms.Select(choices=CHOICES).render("country", value, attrs)
        fast = FastSelect(choices=CHOICES).render("country", value, attrs)
        assert parse_html(fast) == parse_html(django)  # the same elements, attributes and text
    assert 'value="CI" selected' in FastSelect(choices=CHOICES).render("country", "CI")

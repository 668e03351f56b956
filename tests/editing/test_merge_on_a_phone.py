"""The three-way conflict screen fits a 390 px phone (h24, issue 26): its table scrolls inside a wrapper, and below
768 px each row stacks its choices, each labelled by its column ("The original (when you opened it)" was cut off)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.editing.test_merge import case, detainee_url, editor_client, form_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_conflict_table_is_wrapped_and_each_choice_names_its_column(case):  # noqa: F811
    person, _, _ = case
    one, two = editor_client(), editor_client()
    data_one, data_two = form_data(one.get(detainee_url(person))), form_data(two.get(detainee_url(person)))
    data_one["description"] = "businessman (theirs)"
    assert one.post(detainee_url(person), data_one).status_code == 302
    data_two["description"] = "businessman (mine)"
    html = two.post(detainee_url(person), data_two).content.decode()
    assert re.search(r'<div class="merge-scroll"[^>]*>\s*<table class="merge-table', html)
    for label in ("Theirs (saved now)", "Yours", "The original (when you opened it)"):
        assert f'<td data-label="{label}">' in html


def test_below_768_px_the_conflict_rows_stack():
    css = (Path(settings.BASE_DIR) / "static/admin-extra/admin.css").read_text()
    assert re.search(r"\.merge-scroll\s*\{[^}]*overflow-x:\s*auto", css)
    phone = re.search(r"@media \(max-width: 767px\) \{\s*/\* merge \*/(.*?)\n\}", css, re.S)
    assert phone, "no phone rule for the conflict table"
    assert re.search(r"\.merge-table tr[^{]*\{[^}]*display:\s*block", phone.group(1))
    assert re.search(r"\.merge-table td::before\s*\{[^}]*content:\s*attr\(data-label\)", phone.group(1))

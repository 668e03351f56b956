"""CSV import of detainees and sources through the admin: a preview with per-row errors, then the import."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from detainees.models import Detainee
from sources.models import Source
from tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def upload(client, url, content: str):
    page = client.get(url)
    form = page.context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")
    data = {"format": csv_format, "import_file": SimpleUploadedFile("rows.csv", content.encode(), "text/csv")}
    if "resource" in form.fields:
        data["resource"] = form.fields["resource"].choices[0][0]
    return client.post(url, data)


def confirm(client, preview, confirm_url):
    form = preview.context["confirm_form"]
    return client.post(confirm_url, {name: form[name].value() for name in form.fields})


def test_detainees_import_as_drafts_after_a_preview(editor_client):
    csv = ("name,name_original,aliases,citizenships,born_on,born_on_precision,description,wikidata_id\n"
           "Evan Gershkovich,Эван Гершкович,Evan Gershkovitch,US,1991-10-26,day,reporter,\n"
           "Alsu Kurmasheva,Алсу Курмашева,,US|RU,1976-01-01,year,journalist,\n")  # fmt: skip
    preview = upload(editor_client, reverse("admin:detainees_detainee_import"), csv)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Evan Gershkovich" in html and "Alsu Kurmasheva" in html and not Detainee.objects.exists()
    done = confirm(editor_client, preview, reverse("admin:detainees_detainee_process_import"))
    assert done.status_code == 302
    alsu = Detainee.objects.get(name="Alsu Kurmasheva")
    assert sorted(c.code for c in alsu.citizenships) == ["RU", "US"] and alsu.born_on_precision == "year"
    assert not alsu.is_published and alsu.history.first().history_change_reason == "Imported from CSV"
    assert Detainee.objects.get(name="Evan Gershkovich").aliases == ["Evan Gershkovitch"]


def test_bad_rows_are_reported_by_row_and_nothing_is_imported(editor_client):
    csv = ("name,name_original,aliases,citizenships,born_on,born_on_precision,description,wikidata_id\n"
           "Good Person,,,US,1990-01-01,day,,\n"
           "Bad Date,,,US,1990-13-45,day,,\n"
           "Bad Wikidata,,,US,,day,,7137\n")  # fmt: skip
    preview = upload(editor_client, reverse("admin:detainees_detainee_import"), csv)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert re.search(r"Row\s+2|Line number:\s*2", html) or "1990-13-45" in html
    assert "Wikidata id looks like Q123456" in html
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert not Detainee.objects.exists()


def test_sources_import_with_outlets_by_name(editor_client):
    OutletFactory(name="TASS")
    csv = ("title,url,outlet,published_on,published_on_precision,author,language,summary,archive_url\n"
           "Antonov on prisoners,https://tass.com/x/1,TASS,2023-08-17,day,,en,Summary.,\n")  # fmt: skip
    preview = upload(editor_client, reverse("admin:sources_source_import"), csv)
    assert preview.status_code == 200
    confirm(editor_client, preview, reverse("admin:sources_source_process_import"))
    assert Source.objects.get(url="https://tass.com/x/1").outlet.name == "TASS"

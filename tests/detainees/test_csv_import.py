"""CSV import of detainees and sources through the admin: a preview with per-row errors, then the import."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.admin import version_of
from detainees.models import Detainee
from sources.models import Source
from tests.factories import OutletFactory, SourceFactory

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


# ---- updates: blank is unchanged, [erase] empties, the version exported is checked -------------

HEADER = "id,name,name_original,aliases,citizenships,born_on,born_on_precision,description,wikidata_id,version\n"


@pytest.fixture
def whelan():
    from tests.factories import DetaineeFactory

    return DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", born_on=datetime.date(1970, 3, 5),
                           description="Former US Marine.", is_published=False)  # fmt: skip


def import_rows(client, csv: str):
    preview = upload(client, reverse("admin:detainees_detainee_import"), csv)
    assert preview.status_code == 200
    if preview.context.get("confirm_form") is None:
        return preview, None
    return preview, confirm(client, preview, reverse("admin:detainees_detainee_process_import"))


def test_the_export_carries_each_records_version(editor_client, whelan):
    from detainees.resources import DetaineeResource

    exported = DetaineeResource().export().dict[0]
    assert exported["version"] == version_of(whelan)


def test_a_blank_cell_on_a_record_on_file_leaves_the_field_as_it_is(editor_client, whelan):
    csv = HEADER + f"{whelan.pk},Paul Whelan,,,,,,Former US Marine; held since 2018.,,{version_of(whelan)}\n"
    _, done = import_rows(editor_client, csv)
    assert done is not None and done.status_code == 302
    whelan.refresh_from_db()
    assert whelan.name_original == "Пол Уилан" and whelan.born_on == datetime.date(1970, 3, 5)
    assert whelan.description == "Former US Marine; held since 2018."


def test_the_erase_marker_empties_a_field_and_the_preview_says_so(editor_client, whelan):
    csv = HEADER + f"{whelan.pk},Paul Whelan,[erase],,,,,,,{version_of(whelan)}\n"
    preview, done = import_rows(editor_client, csv)
    html = preview.content.decode()
    assert "will lose: name_original" in html
    assert done.status_code == 302
    whelan.refresh_from_db()
    assert whelan.name_original == "" and whelan.born_on == datetime.date(1970, 3, 5)


@pytest.mark.parametrize("version", ["", "2001-01-01T00:00:00+00:00"])
def test_an_update_without_its_version_or_with_an_old_one_is_refused(editor_client, whelan, version):
    csv = HEADER + f"{whelan.pk},Paul Whelan,Павел Уилан,,,,,,,{version}\n"
    preview, done = import_rows(editor_client, csv)
    assert done is None  # no confirmation offered
    html = preview.content.decode()
    assert "export again" in html.lower() or "export the records again" in html
    whelan.refresh_from_db()
    assert whelan.name_original == "Пол Уилан"


def test_a_row_exported_before_an_editors_save_is_refused(editor_client, whelan):
    exported_at = version_of(whelan)
    whelan.description = "Changed in the admin after the export."
    whelan.save()
    csv = HEADER + f"{whelan.pk},Paul Whelan,,,,,,Stale text.,,{exported_at}\n"
    preview, done = import_rows(editor_client, csv)
    assert done is None
    assert "after this file was exported" in preview.content.decode()
    whelan.refresh_from_db()
    assert whelan.description == "Changed in the admin after the export."


def test_a_version_claimed_between_preview_and_save_is_refused(whelan):
    """The check at load time and the save are two steps: the save claims the version atomically."""
    import tablib

    from detainees.resources import DetaineeResource

    data = tablib.Dataset(headers=HEADER.strip().split(","))
    data.append([whelan.pk, "Paul Whelan", "", "", "", "", "", "Late edit.", "", version_of(whelan)])
    resource = DetaineeResource()
    original = resource.after_init_instance

    def saved_meanwhile(instance, new, row, **kwargs):
        original(instance, new, row, **kwargs)
        Detainee.objects.filter(pk=instance.pk).update(updated_at=instance.updated_at + datetime.timedelta(seconds=1))

    resource.after_init_instance = saved_meanwhile
    result = resource.import_data(data, dry_run=False, use_transactions=True)
    assert result.has_validation_errors() or result.has_errors()
    whelan.refresh_from_db()
    assert whelan.description == "Former US Marine."


def test_a_source_updated_by_its_url_needs_its_version(editor_client):
    source = SourceFactory(title="Old title", author="A. Writer")
    header = "title,url,outlet,published_on,published_on_precision,author,language,summary,archive_url,version\n"
    row = f"New title,{source.url},{source.outlet.name},,,,,,,"
    preview = upload(editor_client, reverse("admin:sources_source_import"), header + row + "\n")
    assert preview.context.get("confirm_form") is None
    preview = upload(editor_client, reverse("admin:sources_source_import"), header + row + version_of(source) + "\n")
    confirm(editor_client, preview, reverse("admin:sources_source_process_import"))
    source.refresh_from_db()
    assert source.title == "New title" and source.author == "A. Writer"  # the blank author left as it was

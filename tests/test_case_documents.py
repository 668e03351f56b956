"""Stored case documents (casedocs): served only while current, whatever wrote the change, and byte for byte what
the site answers without them."""

import datetime
from unittest import mock

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.request import Request

from casedocs import services, triggers
from casedocs.models import CaseDocument
from detainees.models import Charge, Designation, Detainee, Detention, Group, Sentence, SentenceChange, Transfer
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Outlet, Source, Statement
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db

FRESH = override_settings(PAGE_CACHE_SECONDS=0)  # the response cache would hide what is measured here
WITHOUT = override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)


def answers(client, person: Detainee) -> tuple[bytes, bytes]:
    page = client.get(f"/detainees/{person.slug}/")
    api = client.get(f"/api/v1/detainees/{person.pk}/")
    return page.content, api.content


def assert_served_as_computed(client, person: Detainee) -> bytes:
    """The case page and API document served now are those the site computes without stored documents."""
    with FRESH:
        served = answers(client, person)
    with WITHOUT:
        computed = answers(client, person)
    assert served[0] == computed[0], f"stale or different case page for {person.slug}"
    assert served[1] == computed[1], f"stale or different API document for {person.slug}"
    return served[0] + served[1]


def is_current(person: Detainee) -> bool:
    return services.current().filter(pk=person.pk).exists()


def test_every_table_a_case_is_made_of_has_its_trigger():
    tables = triggers.covered_tables()
    assert "sources_source" in tables and "detainees_historicalcharge" in tables and "sources_claim" in tables
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'casedocs_mark'")
        else:
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'casedocs_%'")
        installed = {row[0].strip('"') for row in cursor.fetchall()}
    assert set(tables) <= installed


def test_a_table_nobody_mapped_is_refused(monkeypatch):
    monkeypatch.setitem(triggers.UP, "detainees.Transfer", [])
    with pytest.raises(LookupError, match="transfer: which cases"):
        triggers.covered_tables()


@pytest.mark.slow  # a differential test over the whole demo: every demo case, built then stored
def test_every_demo_case_is_served_as_computed_built_then_stored(client, demo):
    people = list(Detainee.objects.published())
    for person in people:
        assert_served_as_computed(client, person)  # the first visit builds it
        assert is_current(person)
        assert_served_as_computed(client, person)  # the next reads it
    assert CaseDocument.objects.count() == len(people)


def test_a_stored_case_is_one_indexed_read(client, demo, django_assert_max_num_queries):
    person = Detainee.objects.published().get(slug="paul-whelan")
    with FRESH:
        answers(client, person)
        with django_assert_max_num_queries(2):  # the data version (for the response's headers), the document
            client.get(f"/detainees/{person.slug}/")
        with django_assert_max_num_queries(2):
            client.get(f"/api/v1/detainees/{person.pk}/")


def cold_visit_queries(client, url: str) -> list[str]:
    """The statements a first visit to `url` sends, savepoints aside (the test's own transaction adds them)."""
    from django.test.utils import CaptureQueriesContext

    with FRESH, CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_a_cold_case_is_built_and_stored_in_few_queries(client, demo):
    """A first visit whose document is not built: on PostgreSQL the row is claimed with its version and marks read
    in one statement, and stored with its marks removed in another (three statements each before, savepoints
    aside), and the page of a published person reads its statements without the every-statement "published"
    subquery."""
    person = _whelan()
    statements = cold_visit_queries(client, f"/detainees/{person.slug}/")
    assert is_current(person) and CaseDocument.objects.get(pk=person.pk).page
    assert not any("sources_statement_exchanges" in sql for sql in statements)  # no published() subquery
    if connection.vendor == "postgresql":
        other = Detainee.objects.published().exclude(pk=person.pk).order_by("pk").first()
        api = cold_visit_queries(client, f"/api/v1/detainees/{other.pk}/")
        # 20 before h28, 16 before h35, 14 before h41 (the stored-page read finds whom to build; participations,
        # claims, statements and their exchanges' citations read with the case; the person's row from the page);
        # 8 before h61 (the citation links and the cited sources read with the records); 6 before h63 (the
        # corrections read with the records)
        assert len(statements) <= 5, "\n".join(statements)
        assert len(api) <= 6, "\n".join(api)  # 11 before, 7 before h55 (the person's row read with the claim)
    assert_served_as_computed(client, person)


def test_drafts_get_no_stored_document(client, demo):
    person = Detainee.objects.published().get(slug="paul-whelan")
    assert_served_as_computed(client, person)
    Detainee.objects.filter(pk=person.pk).update(is_published=False)
    with FRESH:
        assert client.get(f"/detainees/{person.slug}/").status_code == 404
        assert client.get(f"/api/v1/detainees/{person.pk}/").status_code == 404
    assert not services.current().filter(pk=person.pk).exists()
    draft = DetaineeFactory(is_published=False)
    with FRESH:
        for pk in (draft.pk, 999_999):  # a draft, and nobody: no row is made for either
            assert client.get(f"/api/v1/detainees/{pk}/").status_code == 404
    assert not CaseDocument.objects.filter(pk__in=[draft.pk, 999_999]).exists()
    call_command("build_case_documents", "--prune", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert not CaseDocument.objects.filter(pk=person.pk).exists()


def _whelan():
    return Detainee.objects.get(slug="paul-whelan")


def _cited_by_whelan():
    return Source.objects.filter(cited_detainees=_whelan()).first()


def _save(record, field: str):
    setattr(record, field, f"Zqx {field} {record.pk}")
    record.save()


def _raw_update(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [f"Zqx {column} {pk}", pk])


def _exchange_of(person):
    return Exchange.objects.filter(participants__detainee=person).first()


def _designation_person():
    return Designation.objects.filter(detainee__is_published=True).first().detainee


def _designation_cites_new_source():
    source = Source.objects.create(outlet=Outlet.objects.first(), title="Zqx new source", url="https://example.org/zqx")
    Designation.objects.filter(detainee=_designation_person()).first().sources.add(source)


def _group_person():
    return Detainee.objects.filter(is_published=True, detentions__held_by_group__isnull=False).first()


def _statement_person():
    statement = Statement.objects.filter(detainees__is_published=True, official__isnull=False).first()
    return statement.detainees.filter(is_published=True).first(), statement


def _change_person():
    return Detainee.objects.get(detentions__sentences__changes__isnull=False)


# Each: (what, the edit, the person whose documents must show it, a marker the edit puts on their page or document)
EDITS = [
    ("a charge saved", lambda: _save(Charge.objects.filter(detention__detainee=_whelan()).first(), "description"),
     _whelan),
    ("a detention by QuerySet.update", lambda: Detention.objects.filter(detainee=_whelan()).update(place="Zqx place"),
     _whelan),
    ("a transfer by bulk_create", lambda: Transfer.objects.bulk_create([Transfer(
        detention=Detention.objects.filter(detainee=_whelan()).first(), moved_on=datetime.date(2021, 1, 1),
        facility_name="Zqx colony", facility_kind="penal_colony")]), _whelan),
    ("a source linked to a designation", lambda: _designation_cites_new_source(), _designation_person),
    ("a cited source's title, raw SQL", lambda: _raw_update("sources_source", "title", _cited_by_whelan().pk), _whelan),
    ("an outlet renamed", lambda: _save(_cited_by_whelan().outlet, "name"), _whelan),
    ("an exchange renamed", lambda: _save(_exchange_of(_whelan()), "name"), _whelan),
    ("a participant's note", lambda: _save(ExchangeParticipant.objects.filter(detainee=_whelan()).first(), "note"),
     _whelan),
    ("a group renamed", lambda: _save(Group.objects.first(), "name"), lambda: _group_person()),
    ("a statement's quote", lambda: _save(_statement_person()[1], "quote"), lambda: _statement_person()[0]),
    ("an official renamed", lambda: _save(_statement_person()[1].official, "name"), lambda: _statement_person()[0]),
    ("a sentence change deleted", lambda: SentenceChange.objects.all().delete(), lambda: _change_person()),
    ("a sentence's court saved", lambda: _save(Sentence.objects.filter(detention__detainee=_whelan()).first(), "court"),
     _whelan),
]  # fmt: skip


@pytest.mark.parametrize("what, edit, person", EDITS, ids=[e[0] for e in EDITS])
def test_every_kind_of_write_makes_the_stored_case_stale(client, demo, what, edit, person):
    target = person()
    before = assert_served_as_computed(client, target)
    assert is_current(target)
    edit()
    assert not is_current(target), f"{what}: the stored document still counts as current"
    after = assert_served_as_computed(client, target)
    assert after != before or what == "an official renamed"  # the edit shows (an official's name is the source's)


def test_a_write_during_a_build_is_never_overwritten_by_the_older_picture(client, demo):
    person = _whelan()
    real = services.render_page

    def render_then_someone_writes(slug):
        page = real(slug)  # the picture is taken...
        Detention.objects.filter(detainee=person).update(place="Zqx written meanwhile")  # ...then a write commits
        return page

    with mock.patch.object(services, "render_page", render_then_someone_writes):
        services.build([person.pk])
    assert not is_current(person)
    served = assert_served_as_computed(client, person)
    assert b"Zqx written meanwhile" in served


def test_a_write_request_rebuilds_what_it_made_stale(editor_client, demo):
    client = Client()  # anonymous, beside the editor's
    person = _whelan()
    assert_served_as_computed(client, person)
    detention = Detention.objects.filter(detainee=person).first()
    response = editor_client.patch(f"/api/v1/detentions/{detention.pk}/", {"place": "Zqx patched"},
                                   content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert is_current(person)  # rebuilt after the write, before anyone asked
    assert b"Zqx patched" in assert_served_as_computed(client, person)


def _on(day: datetime.date):
    """Time frozen at `day` for everything that asks for today's date (the views, the serializer, the documents)."""
    real = timezone.localdate
    return mock.patch("django.utils.timezone.localdate", lambda value=None, tz=None: real(value, tz) if value else day)


@pytest.mark.slow  # a differential test over the whole demo: every demo case, six days, four renders each
def test_a_case_still_counting_days_stays_current_and_is_served_with_each_days_count(client, demo):
    still_held = DetentionFactory(detainee=DetaineeFactory(name="Still Held"), detained_on=datetime.date(2025, 3, 1))
    today = timezone.localdate()
    this_year = DetentionFactory(
        detainee=DetaineeFactory(name="Held Since This Year"),
        detained_on_precision="year",
        detained_on=today.replace(month=1, day=1),
    ).detainee  # counts 0 days until the year is over, then 1, 2, …
    people = list(Detainee.objects.published())
    for person in people:
        assert_served_as_computed(client, person)  # built (page and API document) and stored today
    stored = {d.pk: (d.api, d.page) for d in CaseDocument.objects.all()}
    daily = set(CaseDocument.objects.filter(daily=True).values_list("pk", flat=True))
    assert {still_held.detainee_id, this_year.pk} <= daily and len(daily) < len(people)  # some still held, some not
    new_year = today.replace(month=12, day=31) + datetime.timedelta(days=1)
    seen = set()
    for day in [today + datetime.timedelta(days=1), new_year, new_year + datetime.timedelta(days=1),
                today + datetime.timedelta(days=400), today + datetime.timedelta(days=3650)]:  # fmt: skip
        with _on(day):
            assert set(services.current().values_list("pk", flat=True)) == {p.pk for p in people}  # none expired
            for person in people:  # the day counts and the "accessed" date of that day, from the stored bytes
                served = assert_served_as_computed(client, person)
                assert day.strftime("%B %Y").encode() in served
                if person.pk == still_held.detainee_id:
                    seen.add(served)
    assert len(seen) == 5  # Still Held's count moved every day
    assert {d.pk: (d.api, d.page) for d in CaseDocument.objects.all()} == stored  # nothing was built again
    for pk, (api, page) in stored.items():  # no day count that moves with the date in the stored bytes: what it is
        days = orjson.loads(api)["days_held"]  # made of for someone still held ("FIXED START,…", h64), the count
        assert isinstance(days, str) if pk in daily else type(days) is int, (pk, days)  # itself for the others
        assert "days in custody" not in page


def test_an_api_read_builds_the_api_document_alone_and_the_page_when_asked(client, demo):
    person = _whelan()
    with FRESH, mock.patch.object(services, "render_page", side_effect=AssertionError("an API read rendered a page")):
        client.get(f"/api/v1/detainees/{person.pk}/")
    stored = CaseDocument.objects.get(pk=person.pk)
    assert is_current(person) and stored.api and stored.page == ""
    assert_served_as_computed(client, person)  # the page is built at its first visit, and served as computed
    assert CaseDocument.objects.get(pk=person.pk).page
    assert_served_as_computed(client, person)


@pytest.mark.slow  # a differential test over the whole demo: every demo case against DRF and the page, two days
def test_every_stored_document_is_what_drf_and_the_page_give_without_stored_documents(client, demo):
    """Built in batches by the command (three queries a batch, from plain dicts): each stored API document, served,
    is byte for byte the DRF serializer's response, and each stored page the page rendered without stored
    documents."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from detainees.selectors import case_queryset
    from detainees.serializers import DetaineeSerializer

    DetentionFactory(detainee=DetaineeFactory(name="Still Held"), detained_on=datetime.date(2025, 3, 1))
    call_command("build_case_documents", "--batch", "7", "--pages", stdout=open("/dev/null", "w"),
                 stderr=open("/dev/null", "w"))  # fmt: skip
    people = list(Detainee.objects.published().order_by("pk"))
    assert services.current().exclude(page="").count() == len(people)
    for day in [timezone.localdate(), timezone.localdate() + datetime.timedelta(days=40)]:
        with _on(day):
            for person in people:
                request = APIRequestFactory().get(f"/api/v1/detainees/{person.pk}/")
                request.user = AnonymousUser()
                serialized = DetaineeSerializer(case_queryset(request.user).get(pk=person.pk),
                                                context={"request": Request(request)}).data  # fmt: skip
                with FRESH:
                    served = client.get(f"/api/v1/detainees/{person.pk}/").content
                assert served == JSONRenderer().render(serialized), person.slug
                assert_served_as_computed(client, person)


def test_the_build_command_builds_every_published_case_and_says_so(demo, capsys):
    call_command("build_case_documents", "--batch", "7")
    out = capsys.readouterr()
    published = Detainee.objects.published().count()
    assert f"Built {published:,} case documents of {published:,}" in out.out
    assert services.current().count() == published
    call_command("build_case_documents", "--stale")
    assert "Built 0 case documents of 0" in capsys.readouterr().out
    assert not CaseDocument.objects.exclude(page="").exists()  # API documents only: pages are built when asked for
    call_command("build_case_documents", "--stale", "--pages")
    assert f"Built {published:,} case documents with their pages of {published:,}" in capsys.readouterr().out
    assert services.current().exclude(page="").count() == published


def test_a_list_serves_stored_documents_and_assembles_the_rest_without_building(client, demo):
    ids = list(Detainee.objects.published().order_by("pk").values_list("pk", flat=True))
    services.build(ids[1::3])  # a third stored, the rest not
    stored = CaseDocument.objects.count()
    for url in ("/api/v1/detainees/?page_size=50", "/api/v1/detainees/?ordering=-name&fields=id,name,detentions"):
        with FRESH:
            served = client.get(url).content
        with WITHOUT:
            computed = client.get(url).content
        assert served == computed
    assert CaseDocument.objects.count() == stored  # a list builds nothing


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_one_statement_writes_commit_and_keep_later_marks():
    """The path requests take on PostgreSQL (autocommit, the commit not waiting for the disk): the document is
    claimed, built and stored current, its marks gone; a write after it leaves it stale; a build racing a write
    never stores the older picture as current."""
    person = DetentionFactory(detainee=DetaineeFactory(name="Autocommit Case")).detainee
    assert not connection.in_atomic_block
    services.build([person.pk])
    assert is_current(person) and CaseDocument.objects.get(pk=person.pk).page
    Detention.objects.filter(detainee=person).update(place="Zqx after the build")
    assert not is_current(person)
    real = services.render_page

    def render_then_someone_writes(slug):
        page = real(slug)
        Detention.objects.filter(detainee=person).update(place="Zqx written meanwhile")
        return page

    with mock.patch.object(services, "render_page", render_then_someone_writes):
        services.build([person.pk])
    assert not is_current(person)
    services.build([person.pk])
    assert is_current(person) and "Zqx written meanwhile" in CaseDocument.objects.get(pk=person.pk).page


def test_a_page_and_its_api_document_are_built_from_one_read_of_the_case(demo):
    """A build with pages reads the case's records and citations once, for the page (`load_case`), and makes the
    API document of what it read: the same document the API's own queries make (h35: two queries fewer)."""
    from detainees import documents

    person = _whelan()
    real, reads = documents.run, []

    def counting(build, ids):
        reads.append(build.__name__)
        return real(build, ids)

    with mock.patch.object(documents, "run", counting):
        built = services.build([person.pk])
    # h61: the citation links read with the records (`case_rows`), not by a query of their own (`links`)
    assert reads.count("case_rows") == 1 and "links" not in reads and "nested_records" not in reads, reads
    rows = list(Detainee.objects.filter(pk=person.pk).values(*documents.TOP_FIELDS))
    assert built[person.pk][0] == documents.build_documents(rows, services._OriginOnly)[0]


def test_a_page_rendered_otherwise_leaves_its_api_document_to_the_api_queries(demo):
    person = _whelan()
    with mock.patch.object(services, "render_page", lambda slug: "<p>a stand-in</p>"):
        built = services.build([person.pk])
    assert built[person.pk][0]["detentions"] and built[person.pk][1] == "<p>a stand-in</p>"

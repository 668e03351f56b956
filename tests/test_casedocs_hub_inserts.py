"""A shared record just inserted — a source, an outlet, an exchange, a statement, a group, an official — is shown on
no case yet: a case reaches it only through a row that points at it (a citation, a participant, a statement's
person), whose own insert marks the case. So inserting a shared record marks no case, where its trigger used to probe
every table that could point at it, for every row: a bulk load of 200,000 sources (`generate_synthetic` at 100,000
cases) ran past PostgreSQL's statement timeout in that trigger."""

import pytest
from django.db import transaction

from casedocs import triggers
from casedocs.models import CaseMark
from detainees.models import Detainee
from sources.models import Source
from tests.factories import DetaineeFactory, OutletFactory, SourceFactory

pytestmark = pytest.mark.django_db

SHARED = [
    *("sources_source", "sources_outlet", "sources_official", "sources_statement"),
    *("detainees_group", "exchanges_exchange"),
]
OWN = [
    *("detainees_detainee", "detainees_detention", "detainees_charge", "exchanges_exchangeparticipant"),
    *("detainees_detainee_sources", "sources_statement_detainees", "exchanges_exchangecount", "sources_claim"),
]


def test_shared_records_fire_on_edits_and_deletions_only_and_case_rows_on_inserts_too():
    covered = triggers.covered_tables()
    assert {table: covered[table][1] for table in SHARED} == dict.fromkeys(SHARED, False)
    assert {table: covered[table][1] for table in OWN} == dict.fromkeys(OWN, True)


def test_inserting_sources_marks_no_case_and_citing_one_marks_the_case():
    person = DetaineeFactory()
    CaseMark.objects.all().delete()
    outlet = OutletFactory()
    sources = Source.objects.bulk_create(
        [Source(title=f"Bulk {n}", url=f"https://news.example.org/bulk/{n}", outlet=outlet) for n in range(50)]
    )
    assert not CaseMark.objects.exists()
    person.sources.add(sources[0])
    assert set(CaseMark.objects.values_list("detainee_id", flat=True)) == {person.pk}
    CaseMark.objects.all().delete()
    sources[0].title = "Renamed"
    sources[0].save()  # an edit of a cited source still marks the case
    assert set(CaseMark.objects.values_list("detainee_id", flat=True)) == {person.pk}


@pytest.mark.django_db(transaction=True)
def test_a_citation_written_before_its_source_in_one_transaction_marks_the_case():
    """Foreign keys are checked at commit: an import may write the link before the row it points at."""
    person = DetaineeFactory()
    outlet = OutletFactory()
    CaseMark.objects.all().delete()
    new_id = (Source.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    through = Detainee.sources.through
    with transaction.atomic():
        through.objects.create(detainee_id=person.pk, source_id=new_id)
        SourceFactory(id=new_id, outlet=outlet)
    assert set(CaseMark.objects.values_list("detainee_id", flat=True)) == {person.pk}

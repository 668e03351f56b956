"""Stored case documents never outlive a change: after every step of a random history of writes (records created,
edited and deleted, people and exchanges published and unpublished, statements about several people, shared
sources, outlets, groups and officials edited), every stored document that counts as current equals a fresh
rendering of the same case, the anonymous page and the API document alike (as served: with today's day count).

Writes go straight through the ORM (the triggers are in the database, so the path does not matter to them); the
checks build what is stale after each step, so the next write finds documents to mark.
"""

import datetime

import orjson
import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from casedocs import services
from casedocs.models import CaseDocument
from detainees.documents import TOP_FIELDS, build_documents
from detainees.models import Detainee, Detention, Group
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Official, Outlet, Source, Statement
from tests.factories import (
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    OutletFactory,
    SourceFactory,
    StatementFactory,
)
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

PEOPLE = 3
person_index = st.integers(0, PEOPLE - 1)


class _Rollback(Exception):
    pass


def fresh(pk: int) -> tuple[str, str]:
    """The API document and page of a published person as the site computes them now, for the documents' origin."""
    rows = list(Detainee.objects.published().filter(pk=pk).values(*TOP_FIELDS))
    document = build_documents(rows, services._OriginOnly)[0]
    return orjson.dumps(document).decode(), services.render_page(rows[0]["slug"])


class StoredDocuments(RuleBasedStateMachine):
    """Three people, two of them in one exchange, a statement about two of them, one outlet, one group, one official:
    every record that shows on someone else's case page is there from the start."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()  # each example starts from the same database
        self.atomic.__enter__()
        self.outlet = OutletFactory(name="Zqx Outlet")
        self.sources = [SourceFactory(outlet=self.outlet, title=f"Zqx report {n}") for n in range(2)]
        self.group = Group.objects.create(name="Zqx Group", kind="armed_group")
        self.official = Official.objects.create(name="Zqx Official", country="RU")
        self.people = []
        for n in range(PEOPLE):
            person = DetaineeFactory(name=f"Zqx Person{n}")
            person.sources.set(self.sources[:1])
            detention = DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2022, 2, 1 + n))
            detention.sources.set(self.sources[n % 2 :][:1])
            self.people.append(person.pk)
        self.exchange = ExchangeFactory(name="Zqx Exchange")
        self.exchange.sources.set(self.sources[1:])
        for pk in self.people[:2]:
            ExchangeParticipant.objects.create(exchange=self.exchange, detainee_id=pk, released_by="RU",
                                               received_by="US")  # fmt: skip
        statement = StatementFactory(source=self.sources[0], official=self.official, quote="Zqx said first.")
        statement.detainees.set(self.people[1:3])
        self.counter = 0

    def teardown(self):
        self.atomic.__exit__(_Rollback, _Rollback(), None)  # roll the example back

    def text(self) -> str:
        self.counter += 1
        return f"Zqx edit {self.counter}"

    # --- visibility ---------------------------------------------------------------------------------------------

    @rule(i=person_index, published=st.booleans())
    def publish_or_unpublish_a_person(self, i, published):
        person = Detainee.objects.get(pk=self.people[i])
        person.is_published = published
        person.save()

    @rule(published=st.booleans())
    def publish_or_unpublish_the_exchange(self, published):
        Exchange.objects.filter(pk=self.exchange.pk).update(is_published=published)

    # --- statements about several people --------------------------------------------------------------------------

    @rule(about=st.sets(person_index, min_size=1, max_size=3), on_exchange=st.booleans())
    def add_a_statement(self, about, on_exchange):
        statement = StatementFactory(source=self.sources[1], quote=self.text())
        statement.detainees.set([self.people[i] for i in sorted(about)])
        if on_exchange:
            statement.exchanges.set([self.exchange])

    @rule(i=person_index)
    def link_a_person_to_the_last_statement(self, i):
        statement = Statement.objects.order_by("-pk").first()
        if statement is not None:
            statement.detainees.add(self.people[i])

    @rule()
    def delete_the_last_statement(self):
        Statement.objects.filter(pk__in=Statement.objects.order_by("-pk").values("pk")[:1]).delete()

    # --- the people's own records ---------------------------------------------------------------------------------

    @rule(i=person_index)
    def rename_a_person(self, i):
        person = Detainee.objects.get(pk=self.people[i])
        person.description = self.text()
        person.save()

    @rule(i=person_index)
    def add_a_detention(self, i):
        detention = DetentionFactory(detainee_id=self.people[i], held_by="BY", place=self.text(),
                                     detained_on=datetime.date(2023, 5, 1))  # fmt: skip
        detention.sources.set(self.sources[:1])

    @rule(i=person_index)
    def edit_a_detention(self, i):
        Detention.objects.filter(detainee_id=self.people[i]).update(place=self.text())

    @rule(i=person_index)
    def join_or_leave_the_exchange(self, i):
        pk = self.people[i]
        if not ExchangeParticipant.objects.filter(exchange=self.exchange, detainee_id=pk).delete()[0]:
            ExchangeParticipant.objects.create(exchange=self.exchange, detainee_id=pk, released_by="RU",
                                               received_by="US")  # fmt: skip

    # --- shared records -------------------------------------------------------------------------------------------

    @rule(n=st.integers(0, 1))
    def edit_a_source(self, n):
        Source.objects.filter(pk=self.sources[n].pk).update(title=self.text())

    @rule()
    def rename_the_outlet(self):
        Outlet.objects.filter(pk=self.outlet.pk).update(name=self.text())

    @rule()
    def rename_the_exchange(self):
        exchange = Exchange.objects.get(pk=self.exchange.pk)
        exchange.name = self.text()
        exchange.save()

    @rule(i=person_index)
    def hold_someone_by_the_group_and_rename_it(self, i):
        Detention.objects.filter(detainee_id=self.people[i]).update(held_by="", held_by_group=self.group)
        Group.objects.filter(pk=self.group.pk).update(name=self.text())

    @rule()
    def rename_the_official(self):
        Official.objects.filter(pk=self.official.pk).update(name=self.text())

    # --- the check ------------------------------------------------------------------------------------------------

    @invariant()
    def every_stored_document_equals_a_fresh_rendering(self):
        published = set(Detainee.objects.published().filter(pk__in=self.people).values_list("pk", flat=True))
        current = set(services.current().filter(pk__in=published).values_list("pk", flat=True))
        for document in CaseDocument.objects.filter(pk__in=current):
            api, page = fresh(document.pk)
            assert document.page == page, f"the stored case page of person {document.pk} is out of date"
            served = orjson.dumps(services._served(orjson.loads(document.api), timezone.localdate())).decode()
            assert served == api, f"the stored API document of person {document.pk} is out of date"
        services.build(sorted(published - current))  # stored again, for the next write to mark


@pytest.mark.slow
def test_every_stored_document_equals_a_fresh_rendering_after_every_write(db):
    run_state_machine_as_test(
        StoredDocuments,
        settings=settings(max_examples=examples(10), stateful_step_count=8, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )  # fmt: skip


def test_unpublishing_a_co_subject_of_a_statement_marks_the_other_case(db):
    """The issue's Quentin: a statement about him and a published R is hidden everywhere once he is unpublished."""
    machine = StoredDocuments()
    try:
        machine.every_stored_document_equals_a_fresh_rendering()  # R's document stored, the statement on it
        machine.publish_or_unpublish_a_person(1, False)
        machine.every_stored_document_equals_a_fresh_rendering()
        machine.publish_or_unpublish_a_person(1, True)
        machine.every_stored_document_equals_a_fresh_rendering()
    finally:
        machine.teardown()

"""The list's facets stored by the database (detainees.facets): after every step of a random history of writes
through the ORM, bulk updates and deletions, each person's stored facet values and the published counts equal a
fresh computation from the records; a draft changes no count; `held_by=` and `citizenship=` read the stored rows."""

import datetime
import random

import pytest
from django.core.cache import cache
from django.db.models import Count

from detainees import facets
from detainees.models import Charge, Designation, Detainee, Detention, FacetCount, Group, PersonFacet, Transfer
from exchanges.models import Exchange, ExchangeParticipant
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db

COUNTRIES = ["RU", "US", "BY", "IR", "DE"]
CATEGORIES = ["espionage", "drugs", "fraud", "treason"]
KINDS = ["wrongfully_detained", "hostage", "political_prisoner"]
DAY = datetime.date(2022, 2, 17)


def group_by_counts() -> dict[tuple[str, str], int]:
    """The counts as the list page computed them before: GROUP BY over published people and their records."""
    published = Detainee.objects.published()
    out = {("all", ""): published.count()}
    for status, n in published.order_by().values_list("status").annotate(n=Count("pk")):
        out["status", status] = n
    pairs = [
        ("held_by", Detention.objects.exclude(held_by=""), "held_by", "detainee"),
        ("held_by_group", Detention.objects.exclude(held_by_group=None), "held_by_group_id", "detainee"),
        ("charge_category", Charge.objects.all(), "category", "detention__detainee"),
        ("designation", Designation.objects.all(), "kind", "detainee"),
    ]
    for facet, rows, column, person in pairs:
        rows = rows.filter(**{f"{person}__is_published": True})
        for value, n in rows.order_by().values_list(column).annotate(n=Count(person, distinct=True)):
            out[facet, str(value)] = n
    on_file = published.filter(detentions__isnull=False).distinct().count()
    if on_file:
        out["custody", "on_file"] = on_file
    for person in published:
        for code in person.citizenships:
            out["citizenship", code.code] = out.get(("citizenship", code.code), 0) + 1
    exchanged = (
        published.filter(detentions__isnull=True, exchange_participations__exchange__is_published=True,
                         exchange_participations__exchange__status="completed")
        .exclude(exchange_participations__released_by="")
        .order_by().values_list("exchange_participations__released_by").annotate(n=Count("pk", distinct=True))
    )  # fmt: skip
    for code, n in exchanged:
        out["exchanged_by", code] = n
    return {k: v for k, v in out.items() if v}


def assert_current():
    assert facets.stored_rows() == facets.fresh_rows()
    assert facets.stored_counts() == facets.fresh_counts() == group_by_counts()


def test_stored_facets_equal_a_fresh_computation_after_every_step_of_a_random_history():
    rng = random.Random(16)
    group = Group.objects.create(name="Wagner", kind="armed_group") if hasattr(Group, "kind") else None
    exchange = ExchangeFactory(is_published=True, status="completed")
    people = [DetaineeFactory(citizenships=["US"]) for _ in range(3)]

    def person():
        return rng.choice(list(Detainee.objects.all()) or [DetaineeFactory()])

    def detention():
        return Detention.objects.order_by("?").first() or DetentionFactory(detainee=person())

    steps = [
        lambda: people.append(
            DetaineeFactory(is_published=rng.random() < 0.7, citizenships=rng.sample(COUNTRIES, rng.randint(0, 2)))
        ),  # fmt: skip
        lambda: Detainee.objects.filter(pk=person().pk).update(is_published=rng.random() < 0.5),
        lambda: Detainee.objects.filter(pk=person().pk).update(citizenships=",".join(rng.sample(COUNTRIES, 2))),
        lambda: DetentionFactory(detainee=person(), held_by=rng.choice(COUNTRIES)),
        lambda: DetentionFactory(detainee=person(), held_by="", held_by_group=group) if group else None,
        lambda: Detention.objects.filter(pk=detention().pk).update(held_by=rng.choice(COUNTRIES), held_by_group=None),
        lambda: detention().delete(),
        lambda: ChargeFactory(detention=detention(), category=rng.choice(CATEGORIES)),
        lambda: Charge.objects.filter(pk__in=Charge.objects.values("pk")[:1]).update(category=rng.choice(CATEGORIES)),
        lambda: Charge.objects.filter(pk__in=Charge.objects.values("pk")[:1]).delete(),
        lambda: DesignationFactory(detainee=person(), kind=rng.choice(KINDS)),
        lambda: Designation.objects.filter(pk__in=Designation.objects.values("pk")[:1]).delete(),
        lambda: TransferFactory(detention=detention()),
        lambda: Transfer.objects.filter(pk__in=Transfer.objects.values("pk")[:1]).delete(),
        lambda: ExchangeParticipant.objects.get_or_create(
            exchange=exchange, detainee=person(), defaults={"released_by": rng.choice(COUNTRIES)}
        ),
        lambda: Exchange.objects.filter(pk=exchange.pk).update(is_published=rng.random() < 0.5),
        lambda: Exchange.objects.filter(pk=exchange.pk).update(status=rng.choice(["completed", "reported"])),
        lambda: ExchangeParticipant.objects.filter(pk__in=ExchangeParticipant.objects.values("pk")[:1]).delete(),
        lambda: person().delete(),
    ]
    assert_current()
    for _ in range(60):
        rng.choice(steps)()
        assert_current()
    assert PersonFacet.objects.exists() and FacetCount.objects.filter(n__gt=0).exists()


def test_a_draft_changes_no_count():
    DetentionFactory(detainee=DetaineeFactory(citizenships=["DE"]), held_by="RU")
    before = facets.stored_counts()
    draft = DetaineeFactory(is_published=False, citizenships=["FR"])
    ChargeFactory(detention=DetentionFactory(detainee=draft, held_by="IR"), category="espionage")
    DesignationFactory(detainee=draft, kind="hostage")
    assert facets.stored_counts() == before
    assert PersonFacet.objects.filter(detainee=draft, published=False).count() >= 6  # stored, not counted
    Detainee.objects.filter(pk=draft.pk).update(is_published=True)
    assert facets.stored_counts()["held_by", "IR"] == 1
    Detainee.objects.filter(pk=draft.pk).update(is_published=False)
    assert facets.stored_counts() == before


def test_rebuild_stores_what_the_triggers_kept():
    ChargeFactory(detention=DetentionFactory(held_by="BY"), category="fraud")
    kept_rows, kept_counts = facets.stored_rows(), facets.stored_counts()
    facets.rebuild()
    assert facets.stored_rows() == kept_rows and facets.stored_counts() == kept_counts


def test_held_by_and_citizenship_filters_read_the_stored_rows(client):
    ever = DetaineeFactory(name="Ever Held", citizenships=["DE", "US"])
    DetentionFactory(detainee=ever, held_by="BY")
    DetentionFactory(detainee=ever, held_by="RU")
    DetentionFactory(detainee=DetaineeFactory(name="Never Belarus", citizenships=["DE"]), held_by="RU")
    names = [r["name"] for r in client.get("/api/v1/detainees/?held_by=BY").json()["results"]]
    assert names == ["Ever Held"]
    names = [r["name"] for r in client.get("/api/v1/detainees/?citizenship=US").json()["results"]]
    assert names == ["Ever Held"]
    PersonFacet.objects.filter(detainee=ever, facet="held_by", value="BY").delete()  # the filter reads only these
    cache.clear()
    assert client.get("/api/v1/detainees/?held_by=BY&fields=name").json()["results"] == []


def test_generated_cases_store_their_facets_set_wise():
    from django.core.management import call_command

    call_command("generate_synthetic", detainees=30, seed=16, stdout=None)
    assert facets.stored_rows() == facets.fresh_rows() and facets.stored_counts() == group_by_counts()
    DetentionFactory(detainee=Detainee.objects.published().first(), held_by="KP")  # the triggers are back
    assert facets.stored_counts() == facets.fresh_counts()


def test_writes_of_many_rows_in_one_statement_keep_the_stored_facets_current():
    """Bulk INSERTs, UPDATEs and DELETEs of many rows at once (what PostgreSQL's statement-level triggers see as
    one transition table), across several people, each a draft or published: stored rows and counts stay equal to a
    fresh computation after each statement."""
    rng = random.Random(21)
    people = [DetaineeFactory(is_published=i % 3 != 0, citizenships=[COUNTRIES[i % 5]]) for i in range(8)]
    exchange = ExchangeFactory(is_published=True, status="completed")
    assert_current()
    detentions = Detention.objects.bulk_create(
        [Detention(detainee=p, held_by=rng.choice(COUNTRIES), detained_on=DAY) for p in people * 2]
    )  # fmt: skip
    assert_current()
    Charge.objects.bulk_create(
        [Charge(detention=d, category=rng.choice(CATEGORIES)) for d in detentions for _ in range(2)]
    )  # fmt: skip
    assert_current()
    Designation.objects.bulk_create([Designation(detainee=p, kind=rng.choice(KINDS)) for p in people[:5]])
    ExchangeParticipant.objects.bulk_create(
        [ExchangeParticipant(exchange=exchange, detainee=p, released_by="US") for p in people[::2]]
    )  # fmt: skip
    assert_current()
    Detention.objects.filter(pk__in=[d.pk for d in detentions[::3]]).update(held_by="IR")
    assert_current()
    Charge.objects.filter(detention__detainee__in=people[:4]).update(category="treason")
    assert_current()
    Detainee.objects.filter(pk__in=[p.pk for p in people]).update(is_published=True)  # drafts counted now
    assert_current()
    Detainee.objects.filter(pk__in=[p.pk for p in people[:3]]).update(citizenships="BY,DE")
    assert_current()
    Exchange.objects.filter(pk=exchange.pk).update(status="proposed")
    assert_current()
    Charge.objects.filter(detention__in=detentions[:6]).delete()
    assert_current()
    Detention.objects.filter(pk__in=[d.pk for d in detentions]).delete()  # custody no longer on file: exchanged_by
    assert_current()
    Exchange.objects.filter(pk=exchange.pk).update(status="completed")
    assert_current()
    ExchangeParticipant.objects.filter(detainee__in=people[4:]).delete()
    assert_current()
    Detainee.objects.filter(pk__in=[p.pk for p in people[4:]]).delete()
    assert_current()


def test_a_bulk_insert_refreshes_facets_once_per_statement_on_postgresql():
    """A bulk INSERT of 200 detentions calls the facet trigger's function once, not 200 times (a row-level trigger
    planned and ran its whole body per row: 2,000 rows in one INSERT took over 10 s on a loaded PostgreSQL); an
    UPDATE that moves no watched value changes nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers are PostgreSQL's (SQLite keeps one per row)")
    people = [DetaineeFactory() for _ in range(20)]

    def calls(function: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(SUM(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = %s",
                           [function])  # fmt: skip
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SET track_functions = 'pl'")
    try:
        function = f"{facets.TRIGGER_PREFIX}detainees_detention_insert"
        before = calls(function)
        Detention.objects.bulk_create(
            [Detention(detainee=people[i % 20], held_by="KP", detained_on=DAY) for i in range(200)]
        )  # fmt: skip
        assert calls(function) - before == 1
        assert facets.stored_counts()["held_by", "KP"] == 20
        rows = facets.stored_rows()
        Detention.objects.filter(held_by="KP").update(place="Pyongyang")  # no watched value moved
        assert facets.stored_rows() == rows
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET track_functions")


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_ends_with_the_visibility_map_set_for_index_only_probes():
    """`analyze()` (the end of `generate_synthetic` and `import_dataset`) vacuums too outside a transaction: the
    stored facet rows a filtered list probes are then read from the index alone."""
    from django.db import connection

    from dataset.backup import analyze

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's visibility map")
    for _ in range(3):
        DetentionFactory(detainee=DetaineeFactory(), held_by="RU")
    analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s", [facets.FACETS])
        assert cursor.fetchone()[0] > 0

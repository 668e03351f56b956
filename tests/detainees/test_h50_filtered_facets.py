"""A filtered list's facets counted from the stored facet rows (detainees.facets) in one query (h50): the same
counts as the six GROUP BYs over the records, after random writes, for random filters; drafts never counted; and
the filtered list page's queries, asserted."""

import random

import pytest
from django.core.cache import cache
from django.db.models import Case, Value, When
from django.test import RequestFactory, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from detainees import facets
from detainees.models import Charge, Designation, Detainee, Detention
from detainees.views import DetaineeListView
from exchanges.models import ExchangeParticipant
from tests.detainees.test_h45_list_render import COUNTRIES, random_cases
from tests.factories import ChargeFactory, DesignationFactory, DetaineeFactory, DetentionFactory, ExchangeFactory
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

FILTERS = {
    "status": ["held", "released", "exchanged", "deceased"],
    "held_by": ["RU", "US", "IR", "BY"],
    "citizenship": ["US", "RU", "DE"],
    "charge_category": ["drugs", "espionage", "fraud"],
    "designation": ["hostage", "wrongfully_detained"],
    "custody": ["on_file", "none"],
    "q": ["anna", "li"],
}


def both_ways(query: dict) -> tuple[dict, dict]:
    """The facets of `/detainees/?<query>` for the public, counted from the stored rows and by the GROUP BYs."""
    request = RequestFactory().get(reverse("detainees:detainee-list"), query)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    view = DetaineeListView()
    view.setup(request)
    view.object_list = view.get_queryset()
    assert view.filterset.is_valid(), view.filterset.errors
    return normal(view.counted_facets()), normal(view.compute_facets())


def normal(facets: dict) -> dict:
    """The counts, whatever the order of values that tie."""
    out = {name: sorted(rows) for name, rows in facets.items() if name != "held_by_no_custody"}
    out["held_by_no_custody"] = facets["held_by_no_custody"]
    return out


def a_write(rng: random.Random) -> None:
    people = list(Detainee.objects.all())
    person = rng.choice(people)
    step = rng.randrange(8)
    if step == 0:
        Detainee.objects.filter(pk=person.pk).update(is_published=not person.is_published)
    elif step == 1:
        DetentionFactory(detainee=person, held_by=rng.choice(COUNTRIES))
    elif step == 2 and (detention := Detention.objects.order_by("?").first()):
        ChargeFactory(detention=detention, category=rng.choice(FILTERS["charge_category"]))
    elif step == 3:
        Charge.objects.filter(pk__in=Charge.objects.values("pk")[:1]).delete()
    elif step == 4:
        DesignationFactory(detainee=person, kind=rng.choice(FILTERS["designation"]))
    elif step == 5:
        Designation.objects.filter(pk__in=Designation.objects.values("pk")[:1]).delete()
    elif step == 6:
        exchange = ExchangeFactory(is_published=True, status="completed")
        ExchangeParticipant.objects.create(exchange=exchange, detainee=person, released_by=rng.choice(COUNTRIES))
    else:
        Detention.objects.filter(pk__in=Detention.objects.filter(detainee=person).values("pk")[:1]).delete()


@hypothesis_settings(max_examples=examples(10))
@given(seed=st.integers(0, 10_000), writes=st.integers(0, 8),
       chosen=st.lists(st.sampled_from(sorted(FILTERS)), min_size=1, max_size=3, unique=True))  # fmt: skip
def test_counted_facets_equal_the_group_bys_after_random_writes(seed, writes, chosen):
    rng = random.Random(seed)
    ExchangeParticipant.objects.all().delete()
    Detainee.objects.all().delete()
    random_cases(rng, 10)
    for _ in range(writes):
        a_write(rng)
    query = {name: rng.choice(FILTERS[name]) for name in chosen}
    counted, computed = both_ways(query)
    assert counted == computed, query


def test_a_draft_is_never_counted():
    random_cases(random.Random(3), 10)
    draft = Detainee.objects.create(name="Draft Person", slug="draft-person", is_published=False,
                                    citizenships=["US"])  # fmt: skip
    ChargeFactory(detention=DetentionFactory(detainee=draft, held_by="KP"), category="treason")
    DesignationFactory(detainee=draft, kind="hostage")
    counted, computed = both_ways({"citizenship": "US"})
    assert counted == computed
    assert all(code != "KP" for code, *_ in counted["held_by"])
    assert dict((v, n) for v, _label, n, _s in counted["charge_category"])["treason"] == computed_treason()


def computed_treason() -> int:
    return (
        Detainee.objects.published()
        .filter(citizenships__contains="US", detentions__charges__category="treason")
        .distinct()
        .count()
    )


def held_in_russia(n: int) -> None:
    for i in range(n):  # held now (an open custody), so `status=held&held_by=RU` has a second page
        DetentionFactory(detainee=DetaineeFactory(name=f"Held {i:02}", is_published=True), held_by="RU",
                         released_on=None, end_reason="")  # fmt: skip


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_filtered_list_page_counts_its_facets_in_one_query(client, django_assert_num_queries):
    random_cases(random.Random(9), 10)
    held_in_russia(30)
    cache.clear()
    # the stored counts (the list's size, the facets of its own filter, their version); the other facets, counted
    # together from the stored rows; the page. Before h50: 10 (the data version, the stored counts, six GROUP BYs
    # and the no-custody count and releasers, the page).
    with django_assert_num_queries(3):
        one = client.get("/detainees/", {"status": "held"})
    assert one.status_code == 200 and one.context["result_count"] >= 30
    cache.clear()
    # two filters: also the list's size, counted (once per filter and facets version); before: 11
    with django_assert_num_queries(4):
        two = client.get("/detainees/", {"status": "held", "held_by": "RU"})
    assert two.status_code == 200 and two.context["result_count"] >= 30
    with django_assert_num_queries(2):  # the next page of it: the stored counts, the page; before: 3
        client.get("/detainees/", {"status": "held", "held_by": "RU", "page": 2})


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_write_that_moves_no_facet_keeps_a_filtered_lists_facets_and_size(client, django_assert_num_queries):
    """The first visit after a write that changes no facet (a description) costs what the second does; one that
    moves a facet value shows it at once."""
    random_cases(random.Random(11), 10)
    held_in_russia(5)
    query = {"status": "held", "held_by": "RU"}
    client.get("/detainees/", query)
    person = Detainee.objects.published().filter(status="held").first()
    person.description = "a new description"
    person.save()
    with django_assert_num_queries(2):  # the stored counts, the page; before h50: 11 after every write
        kept = client.get("/detainees/", query)
    assert kept.content.decode() == fresh(client, query)
    held = DetentionFactory(detainee=DetaineeFactory(name="Held Later", is_published=True), held_by="IR",
                            released_on=None, end_reason="").detainee  # fmt: skip
    before = kept.context["result_count"]
    client.get("/detainees/", query)
    DetentionFactory(detainee=held, held_by="RU", released_on=None, end_reason="")
    now = client.get("/detainees/", query)
    expected = Detainee.objects.published().filter(status="held", pk__in=held_by("RU")).count()
    assert now.context["result_count"] == expected == before + 1
    assert now.content.decode() == fresh(client, query)


def held_by(code: str):
    return Detention.objects.filter(held_by=code).values("detainee_id")


def fresh(client, query) -> str:
    cache.clear()
    return client.get("/detainees/", query).content.decode()


def test_two_people_swapping_values_in_one_statement_move_the_facets_version():
    """The counts end where they were, but a list filtered by other facets may not: the version moves."""
    random_cases(random.Random(12), 6)
    a, b = DetentionFactory(held_by="RU"), DetentionFactory(held_by="US")
    counts, version = facets.counts_and_version()
    Detention.objects.filter(pk__in=[a.pk, b.pk]).update(
        held_by=Case(When(pk=a.pk, then=Value("US")), default=Value("RU"))
    )
    after, moved = facets.counts_and_version()
    assert after == counts and moved != version
    person = Detainee.objects.published().first()
    person.description = "nothing a facet shows"
    person.save()
    assert facets.counts_and_version()[1] == moved


@override_settings(PAGE_CACHE_SECONDS=0)
@pytest.mark.parametrize("query", [{}, {"ordering": "-detained_on"}, {"status": "held"}, {"citizenship": "US"}])
def test_a_page_picks_its_rows_by_id_before_joining_them(client, query):
    """Every page of the list shows the rows of the list in order, none twice; the page query joins the latest custody
    to the page's rows only (`pk IN (SELECT … LIMIT … OFFSET …)`), not to every row it skips."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    random_cases(random.Random(13), 60)
    expected = [p.pk for p in DetaineeListView.as_view()(request_for(query)).context_data["paginator"].object_list]
    shown = []
    for page in range(1, len(expected) // 25 + 2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/detainees/", {**query, "page": page})
        shown += [p.pk for p in response.context["object_list"]]
        [page_query] = [q["sql"] for q in queries.captured_queries if "detainees_detention" in q["sql"]
                        and "LIMIT" in q["sql"]]  # fmt: skip
        assert " IN (SELECT " in page_query and page_query.rindex("LIMIT") < page_query.rindex(")"), page_query
    assert shown == expected and len(set(shown)) == len(shown) > (25 if not query else 0)


def request_for(query: dict):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/detainees/", query)
    request.user = AnonymousUser()
    return request

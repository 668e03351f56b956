"""Public pages: what a researcher sees, what stays hidden, and what each page costs in queries."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from detainees.models import Detainee
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SentenceFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def names(response):
    return [d.name for d in response.context["object_list"]]


def case_with_rows(n: int, **kwargs):
    """A detainee with n detentions, each with n charges, a sentence, a source."""
    person = DetaineeFactory(**kwargs)
    source = SourceFactory()
    for i in range(n):
        detention = DetentionFactory(detainee=person, detained_on=D(2000 + i, 1, 1), released_on=D(2000 + i, 6, 1),
                                     end_reason="released")  # fmt: skip
        detention.sources.add(source)
        for _ in range(n):
            ChargeFactory(detention=detention).sources.add(source)
        SentenceFactory(detention=detention, sentenced_on=D(2000 + i, 3, 1)).sources.add(source)
    return person


# ---- case page --------------------------------------------------------------------------------


def test_case_page_tells_the_story_with_sources(client, demo):
    response = client.get(reverse("detainees:detainee-detail", args=["brittney-griner"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Exchanged on 8 December 2022" in html
    assert "Бриттни Грайнер" in html
    assert "Khimki City Court" in html and "9 years, fine of 1,000,000 RUB" in html
    assert "November 2022" in html and "1 November 2022" not in html  # a month stays a month
    assert 'href="#source-1"' in html and 'id="source-1"' in html
    assert "https://en.wikipedia.org/wiki/Brittney_Griner" in html
    assert reverse("exchanges:exchange-detail", args=["griner-bout-exchange"]) in html
    assert "Cite this page" in html and "http://testserver/detainees/brittney-griner/" in html
    assert '<link rel="canonical" href="http://testserver/detainees/brittney-griner/">' in html


def test_held_case_says_by_whom_and_since_when(client):
    person = DetaineeFactory(name="Paul Whelan")
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2018, 12, 28))
    html = client.get(person.get_absolute_url()).content.decode()
    assert "Held by Russia since 28 December 2018" in html


def test_draft_case_is_404_for_anonymous_and_visible_to_editors(editor):
    draft = DetaineeFactory(is_published=False)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    staff = Client()
    staff.force_login(editor)
    response = staff.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft" in response.content.decode()


def test_unknown_case_is_404_in_the_site_style(client):
    response = client.get("/detainees/nobody/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_case_page_costs_the_same_queries_for_one_row_or_many(client, django_assert_num_queries, settings):
    settings.CASE_DOCUMENTS = False  # the page as computed (stored, it is one read: tests/test_case_documents.py)
    small, big = case_with_rows(1, is_published=True), case_with_rows(6, is_published=True)
    for person in (small, big):
        DesignationFactory(detainee=person)
        ParticipantFactory(detainee=person)
        StatementFactory().detainees.add(person)
    # The page's SQL is compiled once per process (`documents.run`; compiling asks SQLite whether it has JSON and
    # the content types of claims): a first page, before counting.
    client.get(case_with_rows(1, is_published=True).get_absolute_url())
    # Data version; the person; every nested record with the exchanges, statements and claims and the exchanges'
    # citations (an exchange is a timeline event), every citation and the cited sources, and the corrections (10
    # before h41, 6 before h61, 4 before h63). Then, until something changes, only the data version.
    with django_assert_num_queries(3):
        client.get(small.get_absolute_url())
    with django_assert_num_queries(3):
        html = client.get(big.get_absolute_url()).content.decode()
    assert html.count('<h2 id="detention-') == 6
    with django_assert_num_queries(1):
        assert client.get(big.get_absolute_url()).content.decode() == html


def case_pages_read_the_same_as_through_the_orm(client, monkeypatch, settings, people):
    """Each person's case page, in English and in Russian, as the view's three queries build it and as the plain
    prefetching querysets would: the two must be the same page."""
    from django.db.models import Q

    from detainees.selectors import case_queryset, cited
    from detainees.views import DetaineeDetailView
    from sources.models import Claim

    settings.CASE_DOCUMENTS = False  # both renderings computed by the view (a stored page would hide the patch)
    settings.PAGE_CACHE_SECONDS = 0
    urls = [url for person in people for url in (person.get_absolute_url(), "/ru" + person.get_absolute_url())]
    pages = {url: client.get(url).content.decode() for url in urls}

    def through_the_orm(self, queryset=None):
        person = case_queryset(None).get(slug=self.kwargs["slug"])
        sentences = [s.pk for d in person.detentions.all() for s in d.sentences.all()]
        person.case_extras = {
            "participation": list(person.exchange_participations.visible_to(None)
                                  .select_related("exchange", "released_by_group", "received_by_group")
                                  .prefetch_related(cited("exchange__sources"))),
            "statement": list(person.statements.select_related("source__outlet", "official")),
            "claim": list(Claim.objects.filter(Q(detainee=person) | Q(detention__detainee=person)
                                               | Q(content_type__app_label="detainees", content_type__model="sentence",
                                                   object_id__in=sentences))
                          .select_related("content_type", "source__outlet")),
        }  # fmt: skip
        return person

    monkeypatch.setattr(DetaineeDetailView, "get_object", through_the_orm)
    for url, html in pages.items():
        assert client.get(url).content.decode() == html, url


@pytest.mark.slow  # a differential test over every demo case in two languages (README, "Suite times")
def test_case_pages_read_the_same_as_through_the_orm_prefetches(client, demo, monkeypatch, settings):
    """The case page loads its records, exchanges, claims and statements in three queries; it must show exactly what
    the plain prefetching querysets would, in English and in Russian."""
    from tests.api.test_documents import awkward_case

    awkward_case()
    case_pages_read_the_same_as_through_the_orm(client, monkeypatch, settings, Detainee.objects.published())


def test_case_pages_of_each_kind_of_extra_read_the_same_as_through_the_orm_prefetches(
    client, demo, monkeypatch, settings
):
    """The slow test above on the awkward case, given a claim about the person, one about a custody and one about a
    sentence (the demo's two claims are about an exchange), and, from the demo, the first case in an exchange and the
    first with a statement."""
    from detainees.models import Sentence
    from sources.models import Claim
    from tests.api.test_documents import awkward_case

    awkward = awkward_case()
    custody = awkward.detentions.order_by("pk").first()
    sentence = Sentence.objects.filter(detention__detainee=awkward).first()
    for record, field, value in [(awkward, "born_on", "1966"), (custody, "held_by", "LA"),
                                 (sentence, "term_months", "360")]:  # fmt: skip
        Claim.objects.create(record=record, field=field, value=value, source=SourceFactory())
    published = Detainee.objects.published().order_by("pk")
    people = {awkward}
    for kind, queryset in {"an exchange": published.filter(exchange_participations__isnull=False),
                           "a statement": published.filter(statements__isnull=False)}.items():  # fmt: skip
        person = queryset.exclude(pk=awkward.pk).first()
        assert person is not None, f"no published demo case has {kind}"
        people.add(person)
    case_pages_read_the_same_as_through_the_orm(client, monkeypatch, settings, sorted(people, key=lambda p: p.pk))


# ---- list page --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Бут", "Victor Bout", "viktor bout", "BOUT"])
def test_search_finds_bout_in_any_spelling(client, demo, query):
    assert names(client.get(reverse("detainees:detainee-list"), {"q": query})) == ["Viktor Bout"]


def test_search_finds_griner(client, demo):
    assert names(client.get(reverse("detainees:detainee-list"), {"q": "griner"})) == ["Brittney Griner"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"citizenship": "GB"}, ["Paul Whelan", "Vladimir Kara-Murza"]),
        ({"held_by": "TH"}, ["Viktor Bout"]),  # extradited from Thailand: ever held by it
        ({"held_by": "de"}, ["Vadim Krasikov"]),
        (
            {"held_on": "2020-01-01"},
            ["Konstantin Yaroshenko", "Paul Whelan", "Trevor Reed", "Vadim Krasikov", "Viktor Bout"],
        ),  # fmt: skip
        ({"charge_category": "espionage"}, ["Evan Gershkovich", "Paul Whelan"]),
        ({"designation": "political_prisoner"}, ["Vladimir Kara-Murza"]),
        ({"detained_from": "2022-01-01", "detained_to": "2022-12-31"}, ["Brittney Griner", "Vladimir Kara-Murza"]),
        ({"status": "held"}, []),
        (
            {"ordering": "-detained_on", "status": "exchanged", "citizenship": "US"},
            # Alsu Kurmasheva was exchanged at Ankara; her custody is not on file, so she sorts last
            ["Evan Gershkovich", "Brittney Griner", "Trevor Reed", "Paul Whelan", "Alsu Kurmasheva"],
        ),  # fmt: skip
    ],
)
def test_list_filters(client, demo, params, expected):
    response = client.get(reverse("detainees:detainee-list"), params)
    assert response.status_code == 200
    got = names(response)
    assert got == expected if "ordering" in params else sorted(got) == sorted(expected)


def test_exchange_filter_lists_its_participants(client, demo):
    from exchanges.models import Exchange

    exchange = Exchange.objects.get(slug="griner-bout-exchange")
    assert sorted(names(client.get(reverse("detainees:detainee-list"), {"exchange": exchange.pk}))) == [
        "Brittney Griner", "Viktor Bout"]  # fmt: skip


def test_facet_counts_follow_the_other_filters(client, demo):
    response = client.get(reverse("detainees:detainee-list"), {"held_by": "RU"})
    charges = {value: count for value, _, count, _ in response.context["facets"]["charge_category"]}
    assert charges["espionage"] == 2 and charges["drugs"] == 1 and charges["arms_trafficking"] == 0
    holders = {value: count for value, _, count, _ in response.context["facets"]["held_by"]}
    assert holders["US"] == 2  # the held_by facet ignores its own selection


def test_bad_filter_value_is_a_400_page_naming_the_field(client, demo):
    response = client.get(reverse("detainees:detainee-list"), {"held_on": "yesterday"})
    assert response.status_code == 400
    assert "held_on" in response.content.decode()


def test_empty_result_says_so_and_offers_to_clear(client, demo):
    html = client.get(reverse("detainees:detainee-list"), {"q": "nobody-by-that-name"}).content.decode()
    assert "No case matches" in html and "Clear all filters" in html


def test_pagination_keeps_the_filters(client):
    DetaineeFactory.create_batch(30, citizenships=["FR"])
    response = client.get(reverse("detainees:detainee-list"), {"citizenship": "FR"})
    assert response.context["result_count"] == 30
    assert "citizenship=FR&amp;page=2" in response.content.decode()
    assert len(client.get(reverse("detainees:detainee-list"), {"citizenship": "FR", "page": 2})
               .context["object_list"]) == 5  # fmt: skip


def test_download_links_carry_the_filters(client, demo):
    html = client.get(reverse("detainees:detainee-list"), {"citizenship": "US"}).content.decode()
    assert "/api/v1/detainees/?citizenship=US&amp;format=csv" in html


def test_list_page_costs_the_same_queries_for_5_or_25_rows(client, django_assert_num_queries):
    for n in range(5):
        DetentionFactory(detainee=DetaineeFactory(name=f"A{n}"))
    # unfiltered: data version, the stored counts (the total and every facet: detainees.facets), the page
    with django_assert_num_queries(3):
        client.get(reverse("detainees:detainee-list"))
    for n in range(20):
        DetentionFactory(detainee=DetaineeFactory(name=f"B{n}"))
    # data version, the count (stored), the other facets counted together from the stored rows (h50: they were four
    # facets, custody on file and no custody beside the holders, in seven queries), the page
    with django_assert_num_queries(4):
        client.get(reverse("detainees:detainee-list"), {"status": "held"})
    with django_assert_num_queries(1):  # until the data changes, the page itself comes from the cache
        response = client.get(reverse("detainees:detainee-list"), {"status": "held"})
    assert response["X-Page-Cache"] == "hit" and response.content.decode().count('class="card"') == 25


# ---- drafts -----------------------------------------------------------------------------------


@pytest.fixture
def draft_world(demo):
    """A published case and a draft one, a draft exchange, and a published exchange with a draft participant."""
    draft = DetaineeFactory(name="Secret Lead", name_original="Тайный", is_published=False, citizenships=["US"])
    DetentionFactory(detainee=draft, held_by="RU")
    ChargeFactory(detention=draft.detentions.get(), category="cybercrime")
    DesignationFactory(detainee=draft, kind="hostage")
    published_exchange = ExchangeFactory(name="Public Swap", date=D(2019, 5, 5))
    ParticipantFactory(exchange=published_exchange, detainee=draft)
    ParticipantFactory(exchange=published_exchange, detainee=DetaineeFactory(name="Known Person"))
    draft_exchange = ExchangeFactory(name="Hidden Swap", is_published=False, date=D(2018, 1, 1))
    StatementFactory(quote="About the secret lead only").detainees.add(draft)
    return {"draft": draft, "published_exchange": published_exchange, "draft_exchange": draft_exchange}


@pytest.mark.parametrize(
    "url",
    [
        "/", "/detainees/", "/detainees/?q=secret", "/detainees/?q=тайный", "/detainees/?status=held",
        "/detainees/?charge_category=cybercrime", "/exchanges/", "/exchanges/public-swap/", "/statements/",
        "/sitemap.xml", "/feed.atom", "/sources/",
    ],
)  # fmt: skip
def test_drafts_never_show_to_anonymous(client, draft_world, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for secret in ("Secret Lead", "secret-lead", "Тайный", "Hidden Swap", "About the secret lead only"):
        assert secret not in html, f"{secret!r} leaked on {url}"


def test_draft_does_not_count_in_facets_or_totals(client, draft_world):
    response = client.get(reverse("detainees:detainee-list"))
    facets = response.context["facets"]
    assert dict((v, n) for v, _, n, _ in facets["status"])["held"] == 0
    assert dict((v, n) for v, _, n, _ in facets["charge_category"])["cybercrime"] == 0
    assert dict((v, n) for v, _, n, _ in facets["designation"])["hostage"] == 0
    assert client.get("/").context["held_total"] == 0


def test_draft_exchange_is_404(client, draft_world):
    assert client.get(draft_world["draft_exchange"].get_absolute_url()).status_code == 404


def test_published_exchange_leaves_out_its_draft_participant(client, draft_world):
    html = client.get(draft_world["published_exchange"].get_absolute_url()).content.decode()
    assert "Known Person" in html and "Secret Lead" not in html


def test_the_list_gives_ended_custody_as_a_span_and_open_custody_as_since(client, demo):
    from tests.factories import DetentionFactory

    html = client.get(reverse("detainees:detainee-list"), {"q": "gershkovich"}).content.decode()
    assert "custody by Russia 29 March 2023 – 1 August 2024" in html and "latest custody" not in html
    DetentionFactory(detainee__name="Still Heldperson", held_by="BY", detained_on=datetime.date(2023, 5, 2))
    html = client.get(reverse("detainees:detainee-list"), {"q": "heldperson"}).content.decode()
    assert "held by Belarus" in html and "since 2 May 2023" in html

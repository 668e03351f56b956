"""The list of cases with less Python per request (h57, issue 21 item 4): its FilterSet copies filters and a form made
once per language (common.filters.PreparedFilterSet), its page loads the columns the cards show and no more, and the
cards read country codes as stored, not through django-countries' Country objects. The pages are the bytes they were:
rendered with these paths and with them switched off (`common.fastpaths.plain()`, Django's and django-filter's own
way), on random cases, in both languages, filtered, on page 2, empty, and refused (400)."""

import datetime
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_countries import Countries, countries
from django_countries.fields import Country

from common.fastpaths import plain
from common.filters import SharedFields
from detainees.filters import DetaineeFilter
from detainees.models import Detainee, Group
from tests.detainees.test_h45_list_render import random_cases
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/detainees/", "/detainees/?page=2", "/detainees/?status=held", "/detainees/?held_by=RU&page=2",
    "/detainees/?citizenship=US,GB", "/detainees/?status=released&charge_category=drugs", "/detainees/?q=anna",
    "/detainees/?ordering=-detained_on&held_by=IR", "/detainees/?designation=hostage&custody=none",
    "/detainees/?held_on=2015-06-01&held_by=RU", "/detainees/?detained_from=2012-01-01&detained_to=2018-12-31",
    "/detainees/?status=deceased&held_by=FR", "/detainees/?q=nobody-is-called-this",
    "/detainees/?held_on=2024-13-45", "/detainees/?status=bogus&held_by=RU", "/detainees/?citizenship=ZZ",
    "/detainees/?page=99", "/detainees/?sort=name", "/detainees/?status=&held_by=US",
    "/ru/detainees/", "/ru/detainees/?status=held&page=2", "/ru/detainees/?held_by=BY", "/ru/detainees/?q=анна",
    "/ru/detainees/?held_on=2024-02-30", "/ru/detainees/?status=released&ordering=name",
]  # fmt: skip


def render(who, url: str, *, fast: bool) -> tuple[int, str]:
    cache.clear()  # the filters beside the list and the facets are kept per data version: render them afresh
    if fast:
        response = who.get(url)
    else:
        with plain():
            response = who.get(url)
    return response.status_code, response.content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_list_pages_are_the_bytes_django_filter_and_whole_rows_gave(editor_client):
    random_cases(random.Random(57), 40)
    statuses = set()
    for who in (Client(), editor_client):  # an editor sees drafts, marked
        for url in URLS:
            fast, slow = render(who, url, fast=True), render(who, url, fast=False)
            assert fast == slow, url
            statuses.add(fast[0])
    # refused values answer 400 with the form's errors, both ways; ?page=99 beyond the last a 404 saying so (h67)
    assert statuses == {200, 400, 404}


@override_settings(PAGE_CACHE_SECONDS=0)
def test_filtersets_made_one_after_another_keep_their_own_data():
    """Each FilterSet's filters call its own methods with its own cleaned data (a filter copied with the method of
    another FilterSet would read that one's `held_on`), and its form speaks the page's language."""
    queries = ["held_by=RU&held_on=2020-01-01", "held_by=RU", "charge_category=espionage&held_on=2019-05-01",
               "status=held,released&citizenship=us", "held_on=2024-13-45&status=bogus", "",
               "ordering=-name"]  # fmt: skip
    base = Detainee.objects.published().with_status()
    for language in ("en", "ru"):
        with translation.override(language):
            made = [DetaineeFilter(QueryDict(q), queryset=base) for q in queries]  # all made before any is used
            for query, filterset in zip(queries, made, strict=True):
                with plain():
                    reference = DetaineeFilter(QueryDict(query), queryset=base)
                    reference_valid = reference.is_valid()
                    reference_errors = {k: list(v) for k, v in reference.errors.items()}
                    reference_sql = str(reference.qs.query) if reference_valid else None
                    reference_labels = {n: str(f.label) for n, f in reference.form.fields.items()}
                assert filterset.is_valid() == reference_valid, query
                assert {k: list(v) for k, v in filterset.errors.items()} == reference_errors, query
                if reference_valid:
                    assert filterset.form.cleaned_data == reference.form.cleaned_data, query
                    assert str(filterset.qs.query) == reference_sql, query
                assert {n: str(f.label) for n, f in filterset.form.fields.items()} == reference_labels
                assert all(f.parent is filterset for f in filterset.filters.values())


def test_a_filterset_copies_no_filter_deeply(monkeypatch):
    """django-filter deep-copies every declared filter (and each form its fields) for every FilterSet: ~6,000 Python
    calls of each list page. Prepared once, they are copied shallowly."""
    import copy

    DetaineeFilter(QueryDict("status=held"), queryset=Detainee.objects.all()).is_valid()  # prepared for this language
    deep = []
    real = copy.deepcopy
    monkeypatch.setattr(copy, "deepcopy", lambda x, memo=None, _nil=[]: deep.append(type(x)) or real(x, memo))
    filterset = DetaineeFilter(QueryDict("status=held&held_by=RU"), queryset=Detainee.objects.all())
    assert filterset.is_valid() and str(filterset.qs.query)
    assert set(deep) <= {SharedFields}  # the form's fields, each copied shallowly (no filter, field or widget)


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_list_page_loads_what_its_cards_show_and_makes_no_country_object(client, monkeypatch):
    group = Group.objects.create(name="Group <g>")
    for i in range(30):
        person = DetaineeFactory(name=f"Person {i:02d}", citizenships=["RU", "US"][: 1 + i % 2])
        by_group = i % 3 == 0
        DetentionFactory(detainee=person, held_by="" if by_group else "IR", held_by_group=group if by_group else None,
                         released_on=datetime.date(2024, 1, 1) if i % 4 == 0 else None,
                         end_reason="released" if i % 4 == 0 else "")  # fmt: skip
    made = []
    init = Country.__init__
    monkeypatch.setattr(Country, "__init__", lambda self, *a, **k: made.append(1) or init(self, *a, **k))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/detainees/?page=1").content.decode()
    assert page.count('class="card"') == 25 and "Iran" in page and "Group &lt;g&gt;" in page
    assert made == []
    rows = [q["sql"] for q in queries.captured_queries if '"detainees_detainee"."slug"' in q["sql"]]
    assert len(rows) == 1  # the page's people, their latest custody and holding groups in one query
    # (`last_confirmed_on` is shown now: a card of someone held says when custody was last confirmed, h67)
    for column in ("search_key", "circumstances", "wikidata_id", "born_on", "place", "last_checked_on"):
        assert f'."{column}"' not in rows[0].split(" FROM ")[0], column


@override_settings(PAGE_CACHE_SECONDS=0)
def test_list_pages_cost_the_same_queries_filtered_in_russian_and_for_an_editor(
    editor_client, django_assert_num_queries
):
    """No card loads a column left out of the page's query (one more query per person)."""
    random_cases(random.Random(11), 35)
    client = Client()
    # the stored counts (the total and every facet) and the page; a filter by two facets: its facets counted in one
    # query and its size (no one matches both here, so no page is read). A visitor sees fewer than 26 published
    # cases here: their ?page=2 is the last page under a 404 that says so (h67), at the same cost.
    expected = {"/detainees/?page=2": (2, 404), "/ru/detainees/": (2, 200),
                "/ru/detainees/?page=2&ordering=-detained_on": (2, 404), "/detainees/?held_by=RU": (3, 200),
                "/detainees/?status=held&held_by=RU": (3, 200)}  # fmt: skip
    for url, (n, status) in expected.items():
        cache.clear()
        with django_assert_num_queries(n):
            assert client.get(url).status_code == status, url
    # an editor (drafts shown): as many as with whole rows (15: the session, the user, permissions, the data version,
    # the facets counted from the records, the size, the page)
    cache.clear()
    with CaptureQueriesContext(connection) as mine:
        assert editor_client.get("/detainees/?page=2").status_code == 200
    with plain():
        cache.clear()
        with CaptureQueriesContext(connection) as before:
            assert editor_client.get("/detainees/?page=2").status_code == 200
    assert len(mine) == len(before) == 15


@pytest.fixture
def countries_listed(monkeypatch):
    calls = []
    real = Countries.__iter__
    monkeypatch.setattr(Countries, "__iter__", lambda self: calls.append(1) or real(self))
    return calls


def test_the_filters_and_the_api_read_one_country_list_that_follows_the_settings(countries_listed):
    """The list filters' country menus and the API's country fields share one list of countries per language
    (common.countries.country_choices), made once; a setting that changes the countries (COUNTRIES_OVERRIDE) is seen
    by both at once (the filters' own cache kept the old list until the process ended)."""
    from detainees.serializers import DetentionSerializer

    def accepted(code: str) -> tuple[bool, bool]:
        filterset = DetaineeFilter(QueryDict(f"citizenship={code}"), queryset=Detainee.objects.all())
        return filterset.is_valid(), code in DetentionSerializer().fields["held_by"].choices

    with translation.override("en"):
        assert accepted("RU") == (True, True)  # both lists made for English (the first time in this process)
        countries_listed.clear()
        assert accepted("US") == (True, True) and accepted("XK") == (False, False)
        assert countries_listed == []  # neither listed the countries again
        with override_settings(COUNTRIES_OVERRIDE={"XK": "Kosovo"}):
            forget_django_countries()
            assert accepted("XK") == (True, True)
            assert len(countries_listed) == 1  # one list, made once for both
        forget_django_countries()
        assert accepted("XK") == (False, False)


def forget_django_countries():
    """django-countries keeps its own lists on its object whatever the settings do (a process started with other
    settings would not have them)."""
    for kept in ("_countries", "_iter_cache", "_alt_codes"):
        countries.__dict__.pop(kept, None)

"""What pages ask of Django many times over, answered once per language (common.fastpaths, h51): every address,
translation and choice label is the one Django gives, and every demo case page, API document and stored document
is byte for byte what the site gives with those helpers off (Django's own reverse(), gettext and get_FOO_display)."""

from functools import partialmethod

import pytest
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse, set_script_prefix
from django.utils import translation

from casedocs import services
from casedocs.models import CaseDocument
from common import fastpaths
from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db

FRESH = override_settings(PAGE_CACHE_SECONDS=0)
VALUES = [0, 1, 42, 10**12, -1, "7", "a", "paul-whelan", "x_y-1", "", "ü", "a b", "a/b", "%41", "-", "bib", None]


def _names(resolver: URLResolver, prefix: str = ""):
    for key in resolver.reverse_dict:
        if isinstance(key, str):
            yield prefix + key
    for namespace, (_, sub) in resolver.namespace_dict.items():
        yield from _names(sub, f"{prefix}{namespace}:")


def _answer(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except (NoReverseMatch, TypeError, ValueError) as error:  # DRF's format converter refuses an int so
        return type(error)


def test_every_named_address_is_what_reverse_gives():
    names = sorted(set(_names(get_resolver())))
    assert {"detainees:detainee-detail", "sources:source-detail", "overview", "api:detainee-detail"} <= set(names)
    fast = 0
    for prefix, languages in [("/", ["en", "ru"]), ("/mirror/", ["ru"])]:
        set_script_prefix(prefix)
        try:
            for language in languages:
                with translation.override(language):
                    for name in names:
                        calls = [((), {})] + [((v,), {}) for v in VALUES]
                        calls += [((), {p: v}) for p in ("slug", "pk") for v in VALUES[1:9]]
                        for args, kwargs in calls:
                            for _ in range(2):  # the address kept, then the one kept
                                got = _answer(fastpaths.url, name, args, kwargs)
                                assert got == _answer(reverse, name, args=args, kwargs=kwargs), (
                                    prefix, language, name, args, kwargs)  # fmt: skip
                            fast += isinstance(fastpaths._shapes.get((name, bool(args or kwargs), language, prefix,
                                                                      None)), (str, tuple))  # fmt: skip
        finally:
            set_script_prefix("/")
    assert fast > 100  # most addresses are answered from what is kept, not by reverse()


def test_translations_are_what_gettext_gives():
    from django.utils.translation import gettext, pgettext

    messages = ["Timeline", "Sources", "Held by", "Unknown", "No such message, h51", "Cases", ""]
    for language in ["en", "ru"]:
        with translation.override(language):
            for message in messages:
                for _ in range(2):
                    with fastpaths.plain():
                        expected = gettext(message), pgettext("exchange", "in the")
                    assert (gettext(message), pgettext("exchange", "in the")) == expected
    with translation.override("ru"):
        assert gettext("Timeline") != "Timeline"  # a real translation is looked at


def test_the_sites_own_translations_are_remembered():
    """The catalogues the site really has (Django's, each app's, the project's: a DjangoTranslation whose fallbacks
    include plain GNUTranslations) keep their answers: the cache is used, not only correct. A chain that excluded
    GNUTranslations asked the whole chain on every look-up (~100 a list page, a quarter of its time at 100,000)."""
    from django.utils.translation import gettext, trans_real

    for language in ["en", "ru"]:
        with translation.override(language):
            gettext("Timeline")
            kept = trans_real.translation(language).__dict__.get("_h51_kept")
            assert isinstance(kept, dict) and "Timeline" in kept, language


def test_choice_labels_are_what_django_gives():
    from django.apps import apps

    checked = 0
    for model in apps.get_models():
        for field in model._meta.fields:
            if not field.choices or field.flatchoices is None:
                continue
            method = model.__dict__.get(f"get_{field.name}_display")
            if isinstance(method, partialmethod):  # Django's (a model's own method is left alone)
                assert method.func is fastpaths._choice_label, (model, field)
            for value in [*(k for k, _ in field.flatchoices[:6]), "no-such-choice", None, 7]:
                obj = model()
                setattr(obj, field.attname, value)
                for language in ["en", "ru"]:
                    with translation.override(language):
                        got = getattr(obj, f"get_{field.name}_display")()
                        assert got == Model._get_FIELD_display(obj, field), (model, field.name, value, language)
                        assert type(got) is type(Model._get_FIELD_display(obj, field))
                checked += 1
    assert checked > 50


def _pages(client: Client, people) -> dict:
    out = {}
    for person in people:
        for url in [f"/detainees/{person.slug}/", f"/ru/detainees/{person.slug}/", f"/api/v1/detainees/{person.pk}/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            out[url] = response.content
    return out


def _forget_kept_answers():
    """What any process-wide cache holds, dropped: a cache filled by one pass (country names, partial dates, kept
    translations) would otherwise answer the other pass and hide a difference."""
    from django.conf import settings
    from django.utils.translation import trans_real

    from common.models import _formatted_date

    _formatted_date.cache_clear()
    with override_settings(COUNTRIES_OVERRIDE=dict(settings.COUNTRIES_OVERRIDE)):  # drops the kept country names
        pass
    for kept in list(trans_real._translations.values()) + [trans_real._default]:
        if kept is not None:
            kept.__dict__.pop("_h51_kept", None)
    fastpaths._shapes.clear()
    fastpaths._labels.clear()


@pytest.mark.parametrize(
    "share",
    [
        pytest.param(4, id="every-fourth-case"),  # `make check` (~2 s of CPU)
        pytest.param(1, id="every-case", marks=pytest.mark.slow),  # `make test` (~8 s of CPU)
    ],
)
def test_every_demo_case_page_is_the_bytes_django_gives(client, editor_client, demo, share):
    """Every demo case (every `share`th in `make check`'s tier, and the draft), English and Russian, anonymous (built
    cold, then stored) and editor (drafts too): the same bytes with the helpers as with Django's own reverse(),
    gettext and get_FOO_display."""
    draft = DetaineeFactory(name="A Draft <b>&</b>", is_published=False)  # an editor's page
    DetentionFactory(detainee=draft)
    assert Detainee.objects.count() > Detainee.objects.published().count() > 20
    chosen = {person.pk for person in Detainee.objects.order_by("pk")[::share]} | {draft.pk}
    published = [person for person in Detainee.objects.published().order_by("pk") if person.pk in chosen]
    everyone = [person for person in Detainee.objects.order_by("pk") if person.pk in chosen]
    assert len(everyone) > len(published) > 20 // share
    with FRESH:
        with fastpaths.plain():  # Django's own answers first, with nothing kept from an earlier test
            _forget_kept_answers()
            CaseDocument.objects.all().delete()
            anonymous = _pages(Client(), published)  # cold: built and stored by this visit
            stored = {pk: (api, page) for pk, api, page in CaseDocument.objects.values_list("pk", "api", "page")}
            editor = _pages(editor_client, everyone)
        _forget_kept_answers()
        CaseDocument.objects.all().delete()
        assert _pages(Client(), published) == anonymous
        assert stored == {pk: (api, page) for pk, api, page in CaseDocument.objects.values_list("pk", "api", "page")}
        assert _pages(Client(), published) == anonymous  # warm: served stored
        assert _pages(editor_client, everyone) == editor
    assert all(page for _, page in stored.values() if page is not None)
    assert services.current().count() == len(published)


def test_a_cold_page_of_someone_exchanged_without_custody_reads_participations_once(client, demo, settings):
    """The page's status line ("Exchanged on … in the …") for someone exchanged with no custody on file is made from
    the participations read with the case, not from a query of its own (one statement fewer for a cold build)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # On PostgreSQL the case is read by a prepared statement (`EXECUTE …`), whose SQL names no table: read it plainly
    settings.DB_PREPARED_STATEMENTS = False
    person = Detainee.objects.published().filter(detentions__isnull=True, status="exchanged").order_by("pk").first()
    assert person is not None
    CaseDocument.objects.filter(pk=person.pk).delete()
    with FRESH, CaptureQueriesContext(connection) as queries:
        response = client.get(f"/detainees/{person.slug}/")
    assert response.status_code == 200 and b"(custody not on file)" in response.content
    reads = [q["sql"] for q in queries.captured_queries if "exchangeparticipant" in q["sql"]]
    assert len(reads) == 1, reads  # the case's one read; 2 before h51 (the status line's own query)


def test_the_status_line_from_the_participations_read_is_the_querys():
    """`status_sentence(person, participations)` picks the exchange its query picks: published and completed only,
    the latest first, an undated one where the database puts it (first on PostgreSQL, last on SQLite), then by id."""
    import datetime

    from detainees.documents import load_case
    from detainees.selectors import status_sentence
    from tests.factories import ExchangeFactory, ParticipantFactory

    person = DetaineeFactory(name="Only Exchanged")
    seen = []
    for date, status, published in [(None, "completed", True), (datetime.date(2020, 1, 1), "completed", True),
                                    (datetime.date(2021, 5, 5), "completed", True), (None, "completed", True),
                                    (datetime.date(2021, 5, 5), "completed", True),
                                    (datetime.date(2023, 1, 1), "completed", False),
                                    (datetime.date(2024, 1, 1), "proposed", True)]:  # fmt: skip
        ParticipantFactory(detainee=person, exchange=ExchangeFactory(date=date, status=status, is_published=published))
        Detainee.objects.filter(pk=person.pk).refresh_status()
        loaded = load_case(Detainee.objects.with_status().get(pk=person.pk))
        ours = status_sentence(loaded, loaded.case_extras["participation"])
        assert ours == status_sentence(Detainee.objects.with_status().get(pk=person.pk)), ours
        seen.append(ours)
    assert len(set(seen)) >= 2  # the pick changed as exchanges were added

"""Drafts leave no trace: every anonymous response is byte-identical with and without a fully linked draft.

The draft is linked every way a case can be: its own detentions, charges, sentences (with a later change),
transfers, designations and citations of public sources; a claim; a statement about it alone; a public statement
about a public person that now names the draft (and the draft exchange) too; participation in a published exchange,
with countries some public records use and one (KP → JP) no public record does. A draft exchange with a published
participant is added too. Then every anonymous list endpoint of the API and of the site is asked
for with every filter and facet it has, with values the draft would match, and the bytes compared.
"""

import datetime
import io

import django_filters
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from common.filters import CountryChoiceFilter, IdFilter, IdListFilter, SearchFilter, UpdatedSinceFilter, YearFilter
from config.api_urls import router
from detainees.models import Detainee, Group, SentenceChange
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Claim, Official, Source, Statement
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    SentenceFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db

# The anonymous rate limit is not what is tested here; every request is counted against one client.
NO_THROTTLE = override_settings(REST_FRAMEWORK={
    **__import__("django.conf").conf.settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [], "DEFAULT_THROTTLE_RATES": {},
})  # fmt: skip

HTML_LISTS = {
    "detainees:detainee-list": "api:detainee-list",
    "exchanges:exchange-list": "api:exchange-list",
    "sources:source-list": "api:source-list",
    "sources:statement-list": "api:statement-list",
}


BASE = 900_000  # the draft's records take explicit ids from here, so every question can be written before it exists


def linked_ids() -> dict:
    """The ids a filter could be asked for: the draft's own, and the public records it links to."""
    published_exchange = Exchange.objects.published().order_by("id").first()
    public_person = Detainee.objects.published().order_by("id").first()
    source = Source.objects.order_by("id").first()
    return {"ids": [BASE + 1, BASE + 2, BASE + 3, published_exchange.pk, public_person.pk, source.pk],
            "words": ["Zzyzx", "Draftperson", "zzyzx draft"]}  # fmt: skip


def add_fully_linked_draft() -> None:
    """A draft case tied to everything public it can be tied to, and a draft exchange with a public participant."""
    cited = list(Source.objects.order_by("id")[:2])
    person = DetaineeFactory(id=BASE + 1, name="Zzyzx Draftperson", citizenships=["KP", "RU"], is_published=False)
    person.sources.set(cited)
    first = DetentionFactory(id=BASE + 2, detainee=person, held_by="KP", detained_on=datetime.date(2022, 3, 1),
                             released_on=datetime.date(2022, 9, 1), end_reason="exchanged")  # fmt: skip
    second = DetentionFactory(id=BASE + 3, detainee=person, held_by="RU", detained_on=datetime.date(2023, 1, 5))
    for n, detention in enumerate((first, second)):
        detention.sources.set(cited)
        charge = ChargeFactory(id=BASE + 10 + n, detention=detention, category="treason", statute="art. 275")
        charge.sources.set(cited)
        sentence = SentenceFactory(id=BASE + 20 + n, detention=detention,
                                   sentenced_on=detention.detained_on + datetime.timedelta(90))  # fmt: skip
        sentence.charges.set([charge])
        sentence.sources.set(cited)
        change = SentenceChange.objects.create(id=BASE + 30 + n, sentence=sentence, kind="reduced",
                                               changed_on=sentence.sentenced_on)  # fmt: skip
        change.sources.set(cited)
        transfer = TransferFactory(id=BASE + 40 + n, detention=detention,
                                   moved_on=detention.detained_on + datetime.timedelta(10))  # fmt: skip
        transfer.sources.set(cited)
    designation = DesignationFactory(id=BASE + 50, detainee=person, authority_country="KP", kind="hostage")
    designation.sources.set(cited)
    Claim.objects.create(id=BASE + 60, record=person, field="held_by", value="KP", source=cited[0])
    statement = Statement.objects.create(id=BASE + 70, speaker="Zzyzx Official", speaker_country="KP",
                                         said_on=datetime.date(2022, 12, 20), quote="Q.", source=cited[0])  # fmt: skip
    statement.detainees.set([person])
    statement.official = Official.objects.order_by("id").first()  # counted on /officials/ only when public
    statement.save()
    held_by_group = DetentionFactory(id=BASE + 4, detainee=person, held_by="", held_by_group=Group.objects.first(),
                                     detained_on=datetime.date(2021, 1, 5), released_on=datetime.date(2021, 6, 1),
                                     end_reason="released")  # fmt: skip
    held_by_group.sources.set(cited)
    published_exchange = Exchange.objects.published().order_by("id").first()
    ExchangeParticipant.objects.create(id=BASE + 80, exchange=published_exchange, detainee=person,
                                       released_by="KP", received_by="JP")  # fmt: skip
    draft_exchange = ExchangeFactory(id=BASE + 3, name="Zzyzx draft swap", is_published=False, place_country="KP")
    draft_exchange.sources.set(cited)
    public_person = Detainee.objects.published().order_by("id").first()
    ExchangeParticipant.objects.create(id=BASE + 81, exchange=draft_exchange, detainee=public_person,
                                       released_by="KP", received_by="JP")  # fmt: skip
    # A public statement about a public person, about the draft person and the draft exchange as well: shown with
    # its public subjects only, as before (issue 22: it vanished from every page, and from every count).
    shared = Statement.objects.published().filter(detainees__is_published=True).order_by("id").first()
    shared.detainees.add(person)
    shared.exchanges.add(draft_exchange)


def filter_values(name, flt, linked) -> list[str]:
    if isinstance(flt, UpdatedSinceFilter):
        return ["2000-01-01T00:00:00Z"]
    if isinstance(flt, CountryChoiceFilter):
        return ["KP", "JP", "RU", "US"]
    if isinstance(flt, django_filters.OrderingFilter):
        return [f"-{flt.param_map and next(iter(flt.param_map))}"] if flt.param_map else []
    if isinstance(flt, django_filters.ChoiceFilter):
        choices = flt.extra.get("choices")
        return [str(value) for value, _ in (choices() if callable(choices) else choices)]
    if isinstance(flt, IdFilter | IdListFilter):
        return [str(i) for i in linked["ids"]]
    if isinstance(flt, YearFilter):
        return ["2022", "2023"]
    if isinstance(flt, django_filters.DateFilter):
        return ["2022-06-01", "2023-02-01"]
    if isinstance(flt, SearchFilter | django_filters.CharFilter):
        return linked["words"]
    raise AssertionError(f"No test values for filter {name} ({type(flt).__name__}): add them here")


def urls(linked) -> list[str]:
    found = [reverse("api:dump"), reverse("api:deletions"), reverse("overview"), reverse("sitemap"),
             reverse("feed"), f"{reverse('api:changes')}?documents=true&page_size=1000"]  # fmt: skip
    pairs = [(reverse(f"api:{basename}-list"), viewset.filterset_class) for _, viewset, basename in router.registry]
    pairs += [(reverse(html), dict(pairs)[reverse(api)]) for html, api in HTML_LISTS.items()]
    for path, filterset in pairs:
        found += [path, f"{path}?format=csv"] if path.startswith("/api/") else [path]
        for name, flt in filterset.base_filters.items():
            found += [f"{path}?{name}={value}" for value in filter_values(name, flt, linked)]
    for exchange in Exchange.objects.published():
        found += [exchange.get_absolute_url(), reverse("api:exchange-detail", args=[exchange.pk])]
    found += [reverse("groups:group-list"), reverse("sources:official-list")]
    found += [g.get_absolute_url() for g in Group.objects.all()]
    found += [o.get_absolute_url() for o in Official.objects.all()]
    for source in Source.objects.order_by("id")[:2]:
        found += [source.get_absolute_url(), reverse("api:source-detail", args=[source.pk])]
    for person in Detainee.objects.published()[:3]:
        found += [person.get_absolute_url(), reverse("api:detainee-detail", args=[person.pk]),
                  reverse("detainee-feed", args=[person.slug])]  # fmt: skip
    return found


def responses(client, paths) -> dict[str, tuple[int, bytes]]:
    call_command("build_dump", stdout=io.StringIO(), stderr=io.StringIO())  # the dump is built by its command
    seen = {}
    for path in paths:
        cache.clear()
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[path] = (response.status_code, body)
    return seen


def strip_time(body: bytes) -> bytes:
    """The dump and the feed say when they were generated; that instant is not about drafts."""
    import re

    return re.sub(rb'"generated_at": ?"[^"]+"|<updated>[^<]+</updated>', b"", body)


@NO_THROTTLE
@pytest.mark.slow
def test_every_anonymous_response_is_identical_with_and_without_a_linked_draft(client, demo):
    linked = linked_ids()
    paths = urls(linked)
    assert len(paths) > 150
    without = responses(client, paths)
    assert all(status == 200 for status, _ in without.values()), [p for p, v in without.items() if v[0] != 200]
    add_fully_linked_draft()
    with_draft = responses(client, paths)
    differing = [p for p in paths if (without[p][0], strip_time(without[p][1]))
                 != (with_draft[p][0], strip_time(with_draft[p][1]))]  # fmt: skip
    assert not differing, f"{len(differing)} responses changed when a draft was added, e.g. {differing[:8]}"


def test_deleting_records_of_a_never_public_case_leaves_no_tombstone(client, demo):
    add_fully_linked_draft()
    before = client.get(reverse("api:deletions")).content
    person = Detainee.objects.get(pk=BASE + 1)
    for detention in person.detentions.all():
        for record in [*detention.charges.all(), *detention.sentences.all(), *detention.transfers.all()]:
            record.delete()
        detention.delete()
    for designation in person.designations.all():
        designation.delete()
    cache.clear()
    assert client.get(reverse("api:deletions")).content == before


@NO_THROTTLE
def test_a_statement_about_a_public_person_and_a_draft_shows_with_the_public_one_only(client):
    from tests.factories import StatementFactory

    griner = DetaineeFactory(name="Brittney Griner")
    draft = DetaineeFactory(name="Zzyzx Draftperson", is_published=False)
    statement = StatementFactory(quote="Zqx she is coming home.")
    statement.detainees.set([griner, draft])
    listed = client.get(reverse("api:statement-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["detainees"] == [griner.pk]
    assert client.get(reverse("api:statement-list"), {"detainee": draft.pk}).json()["count"] == 0
    assert "Zqx she is coming home." in client.get(griner.get_absolute_url()).content.decode()
    page = client.get(reverse("sources:statement-list")).content.decode()
    assert "Zqx she is coming home." in page and "Zzyzx" not in page
    statement.detainees.set([draft])  # about a draft alone: part of that draft
    assert client.get(reverse("api:statement-list")).json()["count"] == 0
    assert "shown with those already published only" in client.get(reverse("about")).content.decode()

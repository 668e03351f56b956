"""The case page renders its heavy sections in Python (detainees.case_page, the `case_part` tag) instead of ~300
template nodes a case: the same bytes as the template as it was (kept in templates_before_h54/), for every demo case
in both languages, anonymous and as an editor (who sees drafts, marked), as served and as stored; on a case with
every section filled and text an editor typed with markup in it, escaped as the template escaped it."""

import contextlib
import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings

from casedocs import services
from detainees.models import Counsel, CustodyExtension, Detainee, SentenceChange
from detainees.views import DetaineeDetailView
from sources.models import Claim
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    OutletFactory,
    SentenceFactory,
    SourceFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db

BEFORE = settings.BASE_DIR / "tests" / "detainees" / "templates_before_h54"
FRESH = override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)


@contextlib.contextmanager
def before_templates():
    """The project's templates with detainees/detainee_detail.html as it was before h54, rendered whole by the
    template engine (base.html too: not from the skeleton of common.chrome, h63)."""
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [BEFORE, *templates[0]["DIRS"]]
    with override_settings(TEMPLATES=templates), mock.patch.object(DetaineeDetailView, "chrome_once", False):
        yield


def both(who, url: str) -> tuple[str, str]:
    now = who.get(url)
    with before_templates():
        before = who.get(url)
    assert now.status_code == before.status_code == 200, url
    return now.content.decode(), before.content.decode()


@pytest.mark.slow  # every demo case, four renders of each way: ~470 pages
@FRESH
def test_every_demo_case_page_is_the_bytes_the_template_gave(demo, editor_client):
    # a draft, for the editor: a demo case with custody, charges and sentences taken off the public site
    draft = Detainee.objects.filter(detentions__sentences__isnull=False).order_by("pk").first()
    Detainee.objects.filter(pk=draft.pk).update(is_published=False)
    people = list(Detainee.objects.order_by("pk").values_list("slug", "is_published"))
    anonymous = Client()
    for slug, published in people:
        for prefix in ("", "/ru"):
            url = f"{prefix}/detainees/{slug}/"
            for who in (anonymous, editor_client) if published else (editor_client,):
                now, before = both(who, url)
                assert now == before, (url, who is editor_client)
            if not published:
                assert anonymous.get(url).status_code == 404  # drafts stay hidden


@pytest.mark.parametrize(
    "share",
    [
        pytest.param(4, id="every-fourth-case"),  # `make check`
        pytest.param(1, id="every-case", marks=pytest.mark.slow),  # `make test`
    ],
)
def test_a_stored_case_page_is_the_bytes_the_template_gave(demo, share):
    """Every published demo case's stored page (every `share`th in `make check`'s tier, h62: two renders a case)."""
    slugs = list(Detainee.objects.published().order_by("pk").values_list("slug", flat=True)[::share])
    assert len(slugs) > 20 // share
    for slug in slugs:
        now = services.render_page(slug)
        with before_templates():
            assert services.render_page(slug) == now, slug
        assert 'class="sources"' in now


HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def hostile_case() -> Detainee:
    """A case with every section the Python writes filled, and markup typed into each field it shows."""
    outlet = OutletFactory(name=f"Outlet {HOSTILE}")
    source = SourceFactory(title=f"Title {HOSTILE}", outlet=outlet, url='https://example.org/?a=1&b="2"',
                           archive_url="https://web.archive.org/x?<y>", headline_on_file=False)  # fmt: skip
    other = SourceFactory(title="Other report", published_on=None, outlet=None)
    person = DetaineeFactory(name=f"Name {HOSTILE}", description=f"about {HOSTILE}", aliases=[f"Alias {HOSTILE}", "B"],
                             name_original=f"Имя {HOSTILE}", citizenships=["US", "RU"], wikidata_id="Q1",
                             born_on=datetime.date(1980, 1, 1), last_checked_on=datetime.date(2025, 3, 4))  # fmt: skip
    person.sources.add(source)
    first = DetentionFactory(detainee=person, held_by="IR", place=f"Evin {HOSTILE}", circumstances=f"at {HOSTILE}",
                             detained_on=datetime.date(2019, 3, 1), released_on=datetime.date(2020, 5, 1),
                             end_reason="extradited")  # fmt: skip
    second = DetentionFactory(detainee=person, held_by="RU", place="", detained_on=datetime.date(2020, 5, 1),
                              detained_on_precision="month", last_confirmed_on=datetime.date(2024, 1, 1),
                              last_confirmed_on_precision="year")  # fmt: skip
    first.sources.add(source)
    second.sources.add(other)
    charge = ChargeFactory(detention=second, statute=f"Art. {HOSTILE}", description=f"desc {HOSTILE}",
                           charged_on=datetime.date(2021, 1, 2))  # fmt: skip
    charge.sources.add(source)
    ChargeFactory(detention=second, statute="", description="")
    earlier = SentenceFactory(detention=second, court=f"Court {HOSTILE}", court_city="Moscow", court_country="RU",
                              sentenced_on=None, in_absentia=True, closed_trial=True,
                              counted_from=datetime.date(2020, 5, 3))  # fmt: skip
    later = SentenceFactory(detention=second, court="", combines=earlier, combination="partial_addition")
    later.sources.add(other)
    change = SentenceChange.objects.create(sentence=earlier, kind="appeal_rejected", court=f"Higher {HOSTILE}",
                                           description=f"kept {HOSTILE}")  # fmt: skip
    change.sources.add(source)
    TransferFactory(detention=second, facility_name=f"Colony {HOSTILE}").sources.add(source)
    CustodyExtension.objects.create(detention=second, decided_on=datetime.date(2020, 6, 1), court=f"C {HOSTILE}",
                                    extended_to=datetime.date(2020, 9, 1), description=f"d {HOSTILE}")  # fmt: skip
    CustodyExtension.objects.create(detention=second)
    Counsel.objects.create(detention=second, name=f"Lawyer {HOSTILE}", note=f"n {HOSTILE}").sources.add(other)
    about_detention = ContentType.objects.get_for_model(first)
    for field, value in [("place", f"Qarchak {HOSTILE}"), ("released_on", "2020-06-01"), ("mediators", "AE, SA")]:
        Claim.objects.create(content_type=about_detention, object_id=first.pk, field=field, value=value,
                             source=other, note=f"says {HOSTILE}")  # fmt: skip
    return person


@FRESH
def test_text_typed_with_markup_is_escaped_as_the_template_escaped_it(editor_client):
    person = hostile_case()
    for prefix in ("", "/ru"):
        for who in (Client(), editor_client):
            now, before = both(who, f"{prefix}{person.get_absolute_url()}")
            assert now == before
            assert "<script>" not in now and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;" in now
            for shown in (
                "Evin",
                "Art.",
                "Colony",
                "Lawyer",
                "Higher",
                "Qarchak",
                "Title",
                "Outlet",
                "desc",
                "Alias",
                "Имя",
            ):
                assert f"{shown} &lt;script&gt;" in now, shown
            assert now.count('<section class="detention"') == 2 and 'class="sentence-notes"' in now
            assert 'class="last-checked"' in now and 'class="original"' in now

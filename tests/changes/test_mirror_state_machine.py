"""The central promise of the change feed: a mirror built from the last dump plus the feed equals a fresh full
anonymous pull of every resource, whatever was written and however.

A random history of writes through the API (as an editor with a token) and the admin (as a superuser, through the
changelist actions, the change forms and the delete confirmations): records created, edited and deleted, cascades,
people and exchanges published and unpublished, participants added and removed, shared sources, outlets, groups and
officials edited and deleted. After every step:

- the mirror that loaded the first dump and every mirror started from a later dump follow `/api/v1/changes/`
  (cursor = seq, documents inline) and each must equal a fresh anonymous pull of all 15 lists, record for record,
  every document compared as canonical JSON (its bytes with the keys sorted);
- every record read before is read again with the validators it was given: a 304 to `If-None-Match` or to
  `If-Modified-Since` is allowed only when the representation is still the one that was read.
"""

import datetime
import gzip
import json
import shutil

import orjson
import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from rest_framework.test import APIClient

from changes.publisher import publish
from common.throttling import SharedAnonRateThrottle
from dataset.dump import build_dump, dumps, dumps_dir
from detainees.models import Detainee, Detention, Group
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Claim, Official, Outlet, Source, Statement
from tests.admin_helpers import inline_management_data
from tests.factories import (
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    OutletFactory,
    SourceFactory,
    StatementFactory,
    UserFactory,
)
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    """Each step reads every list and record anonymously: far beyond the anonymous allowance, on purpose."""
    monkeypatch.setattr(SharedAnonRateThrottle, "allow_request", lambda self, request, view: True)

LISTS = ["detainees", "detentions", "designations", "charges", "sentences", "sentence-changes", "transfers", "groups",
         "exchanges", "exchange-participants", "outlets", "sources", "statements", "officials", "claims"]  # fmt: skip
PEOPLE = 3
DEBUG_WRITES = False  # print the 400s the random writes meet
person = st.integers(0, PEOPLE - 1)
source_index = st.integers(0, 2)


class _Rollback(Exception):
    pass


def canonical(document) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def pull(client) -> dict[str, dict[int, bytes]]:
    """Every public record of every list, as an anonymous client reads them now."""
    out = {}
    for name in LISTS:
        rows, page = {}, 1
        while True:
            data = client.get(f"/api/v1/{name}/", {"page_size": 500, "page": page}).json()
            assert "results" in data, (name, data)
            rows.update({d["id"]: canonical(d) for d in data["results"]})
            if not data["next"]:
                break
            page += 1
        out[name] = rows
    return out


class Mirror:
    """A script's copy: the newest dump, then the feed from the dump's seq."""

    def __init__(self, client):
        self.client = client
        seq, path = dumps()[0]
        document = json.loads(gzip.decompress(path.read_bytes()))
        assert document["seq"] == seq
        self.records = {name: {d["id"]: canonical(d) for d in document[name]} for name in LISTS}
        self.cursor = seq

    def follow(self) -> None:
        while True:
            page = self.client.get("/api/v1/changes/", {"after": self.cursor, "documents": "true",
                                                        "page_size": 1000}).json()  # fmt: skip
            for event in page["results"]:
                assert event["seq"] > self.cursor, "an event came with a seq lower than one already read"
                if event["op"] == "delete":
                    self.records[event["resource"]].pop(event["id"], None)
                else:
                    self.records[event["resource"]][event["id"]] = canonical(event["document"])
            self.cursor = page["cursor"]
            if not page["next"]:
                return


class MirrorMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()  # each example starts from the same database
        self.atomic.__enter__()
        cache.clear()  # responses cached per data version: the rolled-back example before had the same ids
        shutil.rmtree(dumps_dir(), ignore_errors=True)  # and its dump files, at seqs this example will reuse
        editor = UserFactory(username="feed-editor", is_staff=True, is_superuser=True)
        self.api = APIClient()
        self.api.force_authenticate(editor)
        self.admin = Client()
        self.admin.force_login(editor)
        self.public = Client()
        self.counter = 0
        self.outlet = OutletFactory(name="Zqx Outlet")
        self.sources = [SourceFactory(outlet=self.outlet, title=f"Zqx report {n}",
                                      published_on=datetime.date(2022, 1, 1 + n)) for n in range(3)]  # fmt: skip
        self.group = Group.objects.create(name="Zqx Group", kind="armed_group")
        self.official = Official.objects.create(name="Zqx Official", country="RU")
        self.people = []
        for n in range(PEOPLE):
            p = DetaineeFactory(name=f"Zqx Person{n}")
            p.sources.set(self.sources[:1])
            detention = DetentionFactory(detainee=p, held_by="RU", detained_on=datetime.date(2022, 2, 1 + n))
            detention.sources.set({self.sources[n % 3], self.sources[0]})
            self.people.append(p.pk)
        self.exchange = ExchangeFactory(name="Zqx Exchange", status="proposed")  # people may join and leave it
        self.exchange.sources.set(self.sources[1:2])
        for pk in self.people[:2]:
            ExchangeParticipant.objects.create(exchange=self.exchange, detainee_id=pk, released_by="RU",
                                               received_by="US")  # fmt: skip
        statement = StatementFactory(source=self.sources[0], official=self.official, quote="Zqx said first.")
        statement.detainees.set(self.people[1:3])
        statement.exchanges.set([self.exchange])
        self.extra_people: list[int] = []
        self.spare_outlets: list[int] = []
        build_dump()
        self.mirrors = [Mirror(self.public)]
        self.seen: dict[str, tuple[bytes, str, str | None]] = {}

    def teardown(self):
        self.atomic.__exit__(_Rollback, _Rollback(), None)  # roll the example back

    def text(self) -> str:
        self.counter += 1
        return f"Zqx edit {self.counter}"

    def ok(self, response):
        assert response.status_code < 500, (response.status_code, response.content[:500])
        if response.status_code == 400 and DEBUG_WRITES:
            print(response.request["PATH_INFO"], response.content[:800])
        return response

    def write(self, method: str, url: str, data=None):
        return self.ok(getattr(self.api, method)(url, data, format="json"))

    def admin_action(self, model: str, action: str, pks: list[int]):
        return self.ok(self.admin.post(f"/admin/{model}/", {"action": action, "_selected_action": pks, "index": 0}))

    def admin_delete(self, model: str, pk: int):
        return self.ok(self.admin.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"}))

    def admin_edit(self, model: str, pk: int, **changes):
        """Load the change form as the editor does, change some fields, save."""
        page = self.admin.get(f"/admin/{model}/{pk}/change/")
        if page.status_code != 200:
            return page
        form = page.context["adminform"].form
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            else:
                data[name] = str(value) if not isinstance(value, bool) else "on"
        data.update(inline_management_data(page))
        data.update(changes)
        return self.ok(self.admin.post(f"/admin/{model}/{pk}/change/", data))

    # --- visibility ---------------------------------------------------------------------------------------------

    @rule(i=person, published=st.booleans())
    def api_publish_or_unpublish_a_person(self, i, published):
        self.write("patch", f"/api/v1/detainees/{self.people[i]}/", {"is_published": published})

    @rule(i=person, published=st.booleans())
    def admin_publish_or_unpublish_a_person(self, i, published):
        self.admin_action("detainees/detainee", "publish" if published else "unpublish", [self.people[i]])

    @rule(published=st.booleans(), through_admin=st.booleans())
    def publish_or_unpublish_the_exchange(self, published, through_admin):
        if through_admin:
            self.admin_action("exchanges/exchange", "publish" if published else "unpublish", [self.exchange.pk])
        else:
            self.write("patch", f"/api/v1/exchanges/{self.exchange.pk}/", {"is_published": published})

    # --- a person's own records -----------------------------------------------------------------------------------

    @rule(i=person)
    def api_edit_a_person(self, i):
        self.write("patch", f"/api/v1/detainees/{self.people[i]}/", {"description": self.text()})

    @rule(i=person, n=source_index)
    def api_add_a_detention_with_a_charge(self, i, n):
        made = self.write("post", "/api/v1/detentions/", {
            "detainee": self.people[i], "held_by": "BY", "detained_on": "2023-05-01", "place": self.text(),
            "sources": [self.sources[n].pk]})  # fmt: skip
        if made.status_code == 201:
            self.write("post", "/api/v1/charges/", {"detention": made.json()["id"], "category": "espionage",
                                                    "statute": self.text(), "sources": [self.sources[n].pk]})

    @rule(i=person)
    def api_edit_a_detention(self, i):
        detention = Detention.objects.filter(detainee_id=self.people[i]).order_by("-pk").first()
        if detention is not None:
            self.write("patch", f"/api/v1/detentions/{detention.pk}/", {"place": self.text()})

    @rule(i=person)
    def api_delete_a_detention_and_its_charges(self, i):
        detentions = Detention.objects.filter(detainee_id=self.people[i]).order_by("-pk")
        if detentions.count() > 1:
            self.write("delete", f"/api/v1/detentions/{detentions.first().pk}/")

    @rule(i=person)
    def api_join_or_leave_the_exchange(self, i):
        pk = self.people[i]
        current = [{"detainee": p.detainee_id, "released_by": "RU", "received_by": "US"}
                   for p in ExchangeParticipant.objects.filter(exchange=self.exchange).order_by("pk")]  # fmt: skip
        wanted = [p for p in current if p["detainee"] != pk]
        if len(wanted) == len(current):
            wanted.append({"detainee": pk, "released_by": "RU", "received_by": "US"})
        self.write("patch", f"/api/v1/exchanges/{self.exchange.pk}/", {"participants": wanted})

    # --- whole cases: created, deleted with everything in them ------------------------------------------------------

    @rule(n=source_index)
    def api_create_a_case(self, n):
        made = self.write("post", "/api/v1/detainees/", {"name": f"Zqx New {self.text()}", "citizenships": ["US"],
                                                         "description": "new", "sources": [self.sources[n].pk]})
        if made.status_code == 201:
            self.extra_people.append(made.json()["id"])
            self.write("post", "/api/v1/detentions/", {"detainee": made.json()["id"], "held_by": "RU",
                                                       "detained_on": "2021-01-01", "sources": [self.sources[n].pk]})

    @precondition(lambda self: self.extra_people)
    @rule(through_admin=st.booleans())
    def delete_a_whole_case(self, through_admin):
        pk = self.extra_people.pop()
        if through_admin:
            self.admin_delete("detainees/detainee", pk)
        else:
            self.write("delete", f"/api/v1/detainees/{pk}/")

    # --- statements and claims ------------------------------------------------------------------------------------

    @rule(about=st.sets(person, min_size=1, max_size=3), on_exchange=st.booleans())
    def api_add_a_statement(self, about, on_exchange):
        self.write("post", "/api/v1/statements/", {
            "speaker": "Zqx Speaker", "speaker_country": "RU", "said_on": "2023-01-01", "quote": self.text(),
            "source": self.sources[0].pk, "official": self.official.pk,
            "detainees": [self.people[i] for i in sorted(about)],
            "exchanges": [self.exchange.pk] if on_exchange else []})  # fmt: skip

    @rule()
    def admin_delete_the_last_statement(self):
        last = Statement.objects.order_by("-pk").first()
        if last is not None:
            self.admin_delete("sources/statement", last.pk)

    @rule(i=person)
    def api_add_a_claim(self, i):
        self.write("post", "/api/v1/claims/", {"about_type": "detainee", "about_id": self.people[i],
                                               "field": "born_on", "value": self.text(),
                                               "source": self.sources[1].pk})  # fmt: skip

    @rule()
    def api_delete_a_claim(self):
        last = Claim.objects.order_by("-pk").first()
        if last is not None:
            self.write("delete", f"/api/v1/claims/{last.pk}/")

    # --- shared records -------------------------------------------------------------------------------------------

    @rule(n=source_index, day=st.integers(1, 28))
    def api_redate_a_source(self, n, day):
        if Source.objects.filter(pk=self.sources[n].pk).exists():
            self.write("patch", f"/api/v1/sources/{self.sources[n].pk}/", {"published_on": f"2021-03-{day:02d}"})

    @rule()
    def admin_delete_the_source_only_detentions_cite(self):
        if Source.objects.filter(pk=self.sources[2].pk).exists():
            self.admin_delete("sources/source", self.sources[2].pk)

    @rule()
    def admin_rename_the_outlet(self):
        self.admin_edit("sources/outlet", self.outlet.pk, name=self.text())

    @rule()
    def api_make_a_spare_outlet(self):
        made = self.write("post", "/api/v1/outlets/", {"name": self.text(), "country": "RU", "kind": "newspaper"})
        if made.status_code == 201:
            self.spare_outlets.append(made.json()["id"])

    @precondition(lambda self: self.spare_outlets)
    @rule()
    def admin_delete_a_spare_outlet(self):
        self.admin_delete("sources/outlet", self.spare_outlets.pop())

    @rule(i=person)
    def hold_someone_by_the_group_then_edit_it(self, i):
        detention = Detention.objects.filter(detainee_id=self.people[i]).order_by("pk").first()
        self.write("patch", f"/api/v1/detentions/{detention.pk}/", {"held_by": None, "held_by_group": self.group.pk})
        self.write("patch", f"/api/v1/groups/{self.group.pk}/", {"description": self.text()})

    @rule()
    def admin_rename_the_official(self):
        self.admin_edit("sources/official", self.official.pk, name=self.text())

    @rule()
    def api_delete_the_official_once_unused(self):
        self.write("delete", f"/api/v1/officials/{self.official.pk}/")  # a 409 while statements cite it

    # --- mirrors --------------------------------------------------------------------------------------------------

    @rule()
    def a_new_dump_and_a_mirror_from_it(self):
        build_dump()
        self.mirrors.append(Mirror(self.public))
        self.mirrors = self.mirrors[-3:]

    # --- the checks -----------------------------------------------------------------------------------------------

    @invariant()
    def every_mirror_equals_a_fresh_pull(self):
        fresh = pull(self.public)
        for mirror in self.mirrors:
            mirror.follow()
            for name in LISTS:
                missing = sorted(set(fresh[name]) - set(mirror.records[name]))
                extra = sorted(set(mirror.records[name]) - set(fresh[name]))
                stale = sorted(pk for pk in set(fresh[name]) & set(mirror.records[name])
                               if fresh[name][pk] != mirror.records[name][pk])  # fmt: skip
                detail = ""
                if stale:
                    now, kept = json.loads(fresh[name][stale[0]]), json.loads(mirror.records[name][stale[0]])
                    detail = {k: (now.get(k), kept.get(k)) for k in set(now) | set(kept) if now.get(k) != kept.get(k)}
                assert not (missing or extra or stale), (
                    f"{name}: missing {missing}, extra {extra}, stale {stale} {detail}")

    @invariant()
    def no_304_after_a_change(self):
        urls = [f"/api/v1/detainees/{pk}/" for pk in self.people] + [f"/api/v1/exchanges/{self.exchange.pk}/"]
        urls += [f"/api/v1/sources/{s.pk}/" for s in self.sources] + [f"/api/v1/outlets/{self.outlet.pk}/",
                                                                        f"/api/v1/groups/{self.group.pk}/",
                                                                        f"/api/v1/officials/{self.official.pk}/"]
        urls += [f"/api/v1/detentions/{pk}/" for pk in Detention.objects.filter(detainee_id__in=self.people)
                 .values_list("pk", flat=True)]  # fmt: skip
        urls += [f"/api/v1/exchange-participants/{pk}/" for pk in ExchangeParticipant.objects.values_list("pk",
                                                                                                          flat=True)]
        for url in urls:
            now = self.public.get(url)
            body = now.content if now.status_code == 200 else b""
            if url in self.seen:
                before, etag, modified = self.seen[url]
                by_etag = self.public.get(url, HTTP_IF_NONE_MATCH=etag)
                assert by_etag.status_code != 304 or body == before, f"{url}: 304 to If-None-Match after a change"
                if modified:
                    by_date = self.public.get(url, HTTP_IF_MODIFIED_SINCE=modified)
                    assert by_date.status_code != 304 or body == before, (
                        f"{url}: 304 to If-Modified-Since after a change")
            if now.status_code == 200:
                self.seen[url] = (body, now["ETag"], now.get("Last-Modified"))
            else:
                self.seen.pop(url, None)


@pytest.mark.slow
def test_a_mirror_from_the_last_dump_plus_the_feed_equals_a_fresh_pull(db, settings_for_machine):
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(MirrorMachine, settings=settings_for_machine)


@pytest.fixture
def settings_for_machine():
    return settings(max_examples=examples(5), stateful_step_count=7, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.slow  # the machine's mirror check, a full pull of every feed after each of 12 steps
def test_the_issues_cases_in_order(db):
    """The issue's findings, as one fixed walk: publish a draft with its records, unpublish, remove a participant,
    delete a cited source, each followed by the mirror check."""
    machine = MirrorMachine()
    try:
        steps = [
            lambda: machine.api_publish_or_unpublish_a_person(0, False),
            lambda: machine.api_add_a_detention_with_a_charge(0, 1),
            lambda: machine.api_publish_or_unpublish_a_person(0, True),
            lambda: machine.api_join_or_leave_the_exchange(0),
            lambda: machine.api_join_or_leave_the_exchange(1),
            lambda: machine.admin_delete_the_source_only_detentions_cite(),
            lambda: machine.publish_or_unpublish_the_exchange(False, True),
            lambda: machine.admin_rename_the_outlet(),
            lambda: machine.api_make_a_spare_outlet(),
            lambda: machine.admin_delete_a_spare_outlet(),
            lambda: machine.api_create_a_case(0),
            lambda: machine.delete_a_whole_case(True),
        ]
        machine.every_mirror_equals_a_fresh_pull()
        machine.no_304_after_a_change()
        for step in steps:
            step()
            machine.every_mirror_equals_a_fresh_pull()
            machine.no_304_after_a_change()
        # the walk did what it says (a refused write would prove nothing)
        assert Outlet.objects.get(pk=machine.outlet.pk).name.startswith("Zqx edit")
        assert not Source.objects.filter(pk=machine.sources[2].pk).exists()
        assert not Exchange.objects.get(pk=machine.exchange.pk).is_published
        assert not Detainee.objects.filter(name__startswith="Zqx New").exists()
        assert Detention.objects.filter(detainee_id=machine.people[0]).count() == 2
        publish()
    finally:
        machine.teardown()

"""Issue 13: the API contract a script author can trust — no 500s, errors in JSON, CSV that is complete and safe,
stable paging, sync that misses nothing, filters that combine, search as one types."""

import csv
import io
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    DetaineeFactory,
    ExchangeFactory,
    OutletFactory,
    ParticipantFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))


# ---- 1. no 500, every error in JSON ---------------------------------------------------------------------------


def test_deleting_a_referenced_record_is_a_409_naming_what_refers_to_it(editor_api):
    outlet = OutletFactory()
    source = SourceFactory(outlet=outlet)
    response = editor_api.delete(f"/api/v1/outlets/{outlet.pk}/")
    assert response.status_code == 409 and response["Content-Type"] == "application/json"
    assert response.json()["referenced_by"] == [{"resource": "sources", "ids": [source.pk]}]
    person = DetaineeFactory()
    exchange = ExchangeFactory()
    participant = ParticipantFactory(exchange=exchange, detainee=person)
    response = editor_api.delete(f"/api/v1/detainees/{person.pk}/")
    assert response.status_code == 409
    assert response.json()["referenced_by"] == [{"resource": "exchange participants", "ids": [participant.pk]}]
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/detainees/", "/api/v1/exchanges/", "/api/v1/sources/"])
def test_a_deeply_nested_body_is_a_400_not_a_500(editor_api, path):
    response = editor_api.generic("POST", path, "[" * 5000, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_unknown_api_paths_are_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_server_error_under_api_is_json(monkeypatch):
    from detainees.api import DetaineeViewSet

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(DetaineeViewSet, "list", explode)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/detainees/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    html = APIClient(raise_request_exception=False).get("/no-such-page/")
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")


# ---- 2. CSV that is complete and safe -------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["detainees", "exchanges", "sources", "outlets", "detentions", "statements"])
def test_csv_with_fields_and_no_url_sends_every_row(api, demo, endpoint):
    count = api.get(f"/api/v1/{endpoint}/").json()["count"]
    response = api.get(f"/api/v1/{endpoint}/", {"format": "csv", "fields": "id"})
    assert response.status_code == 200
    rows = csv_rows(response)
    assert len(rows) == count and list(rows[0]) == ["id"]


def test_csv_cells_that_would_start_a_formula_are_neutralised(api, editor_client):
    person = DetaineeFactory(name="=HYPERLINK(\"http://evil.example\",\"x\")", description="-2+3", aliases=["@SUM(A1)"],
                             is_published=True)  # fmt: skip
    [row] = csv_rows(api.get("/api/v1/detainees/", {"format": "csv"}))
    assert row["name"] == "'" + person.name and row["description"] == "'-2+3" and row["aliases"] == "'@SUM(A1)"
    assert row["id"] == str(person.pk)  # numbers untouched
    response = editor_client.post("/admin/detainees/detainee/export/", {"format": "0", "resource": "0",
                                                                       "detaineeresource_name": "on"})  # fmt: skip
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_multi_valued_csv_cells_keep_the_json_order(api):
    import datetime

    from tests.factories import DetentionFactory

    old, new = (
        SourceFactory(published_on=datetime.date(2020, 1, 1)),
        SourceFactory(published_on=datetime.date(2024, 1, 1)),
    )
    detention = DetentionFactory(detainee=DetaineeFactory(is_published=True))
    detention.sources.set([old, new])
    json_order = api.get(f"/api/v1/detentions/{detention.pk}/").json()["sources"]
    assert json_order == [new.pk, old.pk]  # newest first, not by id
    [row] = csv_rows(api.get("/api/v1/detentions/", {"format": "csv"}))
    assert row["sources"] == f"{new.pk}|{old.pk}"


def test_sentence_changes_and_participant_notes_reach_csv(api, editor_api):
    import datetime

    from detainees.models import SentenceChange
    from tests.factories import SentenceFactory

    sentence = SentenceFactory(detention__detainee=DetaineeFactory(is_published=True))
    change = SentenceChange.objects.create(sentence=sentence, kind="reduced", changed_on=datetime.date(2023, 1, 5),
                                           new_term_months=60, description="Appeal court cut the term")  # fmt: skip
    [row] = csv_rows(api.get("/api/v1/sentence-changes/", {"format": "csv"}))
    assert (row["id"], row["sentence"], row["kind"], row["term_months"]) == (str(change.pk), str(sentence.pk),
                                                                            "reduced", "60")  # fmt: skip
    assert api.get(f"/api/v1/sentence-changes/{change.pk}/").json()["term_months"] == 60
    hidden = SentenceFactory(detention__detainee=DetaineeFactory(is_published=False))
    SentenceChange.objects.create(sentence=hidden, kind="pardoned", changed_on=datetime.date(2023, 1, 5))
    assert api.get("/api/v1/sentence-changes/").json()["count"] == 1
    assert editor_api.get("/api/v1/sentence-changes/").json()["count"] == 2
    # (into the draft case: in a published one the change would need a source, like every fact)
    created = editor_api.post("/api/v1/sentence-changes/", {"sentence": hidden.pk, "kind": "commuted",
                                                            "changed_on": "2024-02-01", "term_months": 24})  # fmt: skip
    assert created.status_code == 201, created.json()
    assert SentenceChange.objects.get(pk=created.json()["id"]).new_term_months == 24

    exchange = ExchangeFactory(is_published=True)
    shown = ParticipantFactory(
        exchange=exchange, detainee=DetaineeFactory(is_published=True), note="Flown via Abu Dhabi"
    )
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(is_published=False), note="draft person")
    rows = csv_rows(api.get("/api/v1/exchange-participants/", {"format": "csv"}))
    assert [(r["id"], r["exchange"], r["note"]) for r in rows] == [(str(shown.pk), str(exchange.pk),
                                                                    "Flown via Abu Dhabi")]  # fmt: skip
    assert api.post("/api/v1/exchange-participants/", {}).status_code in (401, 405)
    assert editor_api.post("/api/v1/exchange-participants/", {}).status_code == 405


# ---- 3. paging that never skips or repeats --------------------------------------------------------------------


def walk(api, params) -> list[int]:
    seen, page = [], 1
    while True:
        data = api.get("/api/v1/detainees/", {**params, "page": page, "page_size": 1}).json()
        seen += [row["id"] for row in data["results"]]
        if not data["next"]:
            return seen
        page += 1


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_ties_are_broken_by_id_so_paging_never_skips_or_repeats(api, ordering):
    people = [DetaineeFactory(name="Ivan Petrov", is_published=True) for _ in range(6)]
    ids = [p.pk for p in people]
    assert walk(api, {"ordering": ordering}) == ids  # every one once, ties in id order
    rows = csv_rows(api.get("/api/v1/detainees/", {"ordering": ordering, "format": "csv", "fields": "id"}))
    assert [int(r["id"]) for r in rows] == ids


@pytest.mark.parametrize("ordering", ["born_on", "-born_on"])
def test_nulls_sort_last_in_both_directions_on_every_database(api, ordering):
    import datetime

    unknown = DetaineeFactory(born_on=None, is_published=True)
    old = DetaineeFactory(born_on=datetime.date(1960, 1, 1), is_published=True)
    young = DetaineeFactory(born_on=datetime.date(1990, 1, 1), is_published=True)
    expected = [old.pk, young.pk] if ordering == "born_on" else [young.pk, old.pk]
    assert walk(api, {"ordering": ordering}) == [*expected, unknown.pk]


@pytest.mark.parametrize("endpoint", ["detainees", "exchanges", "outlets", "sources", "detentions", "statements"])
def test_cursor_pages_walk_every_record_once(api, demo, endpoint):
    count = api.get(f"/api/v1/{endpoint}/").json()["count"]
    seen, link = [], f"/api/v1/{endpoint}/?cursor=&page_size=2"
    while link:
        data = api.get(link).json()
        assert data["count"] == count
        seen += [row["id"] for row in data["results"]]
        link = data["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == count
    back = api.get(api.get(f"/api/v1/{endpoint}/?cursor=&page_size=2").json()["next"] or
                   f"/api/v1/{endpoint}/?cursor=").json()  # fmt: skip
    if back["previous"]:
        assert [r["id"] for r in api.get(back["previous"]).json()["results"]] == seen[:2]


@pytest.mark.parametrize("params", [{"cursor": "garbage"}, {"cursor": "", "page_size": "501"}])
def test_bad_cursor_requests_are_400_naming_the_parameter(api, params):
    response = api.get("/api/v1/detainees/", params)
    assert response.status_code == 400
    assert set(response.json()) <= set(params)


def test_cursor_pages_without_ordering_come_in_id_order(api):
    people = [DetaineeFactory(name=name, is_published=True) for name in ("Zed", "Abe", "Max")]
    data = api.get("/api/v1/detainees/", {"cursor": "", "page": "2"}).json()
    assert [row["id"] for row in data["results"]] == [p.pk for p in people]


def cursor_walk(api, params, page_size=2) -> tuple[list[int], list[int]]:
    """Every id, following `next` from an empty cursor; then every id again, following `previous` back."""
    forward, pages = [], []
    link = "/api/v1/detainees/?" + "&".join(f"{k}={v}" for k, v in {**params, "cursor": "",
                                                                      "page_size": page_size}.items())  # fmt: skip
    while link:
        data = api.get(link).json()
        assert len(data["results"]) <= page_size
        forward += [row["id"] for row in data["results"]]
        pages.append(data)
        link = data["next"]
    backward, link = [], pages[-1]["previous"]
    while link:
        data = api.get(link).json()
        backward = [row["id"] for row in data["results"]] + backward
        link = data["previous"]
    return forward, backward + [row["id"] for row in pages[-1]["results"]]


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_cursor_pages_follow_the_ordering_and_never_skip_or_repeat_ties(api, ordering):
    DetaineeFactory(name="Anna Zaitseva", is_published=True)
    petrovs = [DetaineeFactory(name="Ivan Petrov", is_published=True).pk for _ in range(6)]
    DetaineeFactory(name="Boris Orlov", is_published=True)
    forward, backward = cursor_walk(api, {"ordering": ordering}, page_size=2)
    assert forward == walk(api, {"ordering": ordering})  # the same order as numbered pages
    assert [pk for pk in forward if pk in petrovs] == petrovs and len(forward) == len(set(forward)) == 8
    assert backward == forward


@pytest.mark.parametrize("ordering", ["born_on", "-born_on"])
def test_cursor_pages_sort_nulls_last_in_both_directions(api, ordering):
    import datetime

    unknown = [DetaineeFactory(born_on=None, is_published=True).pk for _ in range(3)]
    old = DetaineeFactory(born_on=datetime.date(1960, 1, 1), is_published=True).pk
    young = [DetaineeFactory(born_on=datetime.date(1990, 1, 1), is_published=True).pk for _ in range(2)]
    expected = [old, *young] if ordering == "born_on" else [*young, old]
    forward, backward = cursor_walk(api, {"ordering": ordering}, page_size=2)
    assert forward == backward == [*expected, *unknown]


def test_a_cursor_is_refused_under_another_ordering_or_when_tampered_with(api):
    import base64

    for _ in range(3):
        DetaineeFactory(is_published=True)
    link = api.get("/api/v1/detainees/", {"cursor": "", "ordering": "name", "page_size": 1}).json()["next"]
    cursor = link.split("cursor=")[1].split("&")[0]
    response = api.get("/api/v1/detainees/", {"cursor": cursor, "ordering": "-born_on"})
    assert response.status_code == 400 and "ordering" in response.json()["cursor"][0]
    for payload in ('{"d":"next","k":["id"],"v":[99999999999999999999999]}', '{"d":"next","k":["id"],"v":["x"]}',
                    '{"d":"next","k":["name","id"],"v":["a\\u0000",1]}', '{"d":"up","k":["id"],"v":[1]}'):  # fmt: skip
        token = base64.urlsafe_b64encode(payload.encode()).decode()
        response = api.get("/api/v1/detainees/", {"cursor": token, "ordering": "name" if "name" in payload else ""})
        assert response.status_code == 400 and list(response.json()) == ["cursor"], payload


# ---- 4. sync that misses nothing ------------------------------------------------------------------------------


def _case_changes():
    """(name, make the record, change it) for every kind of record of a case."""
    import datetime

    from detainees.models import SentenceChange
    from tests.factories import (
        ChargeFactory,
        DesignationFactory,
        DetentionFactory,
        SentenceFactory,
        TransferFactory,
    )

    def save(record, **changes):
        for key, value in changes.items():
            setattr(record, key, value)
        record.save()

    return [
        ("detention", lambda p: DetentionFactory(detainee=p), lambda r: save(r, place="Lefortovo")),
        ("charge", lambda p: ChargeFactory(detention=DetentionFactory(detainee=p)), lambda r: save(r, statute="x")),
        ("sentence", lambda p: SentenceFactory(detention=DetentionFactory(detainee=p)), lambda r: save(r, court="y")),
        ("sentence change",
         lambda p: SentenceChange.objects.create(sentence=SentenceFactory(detention=DetentionFactory(detainee=p)),
                                                 kind="reduced", changed_on=datetime.date(2023, 1, 1)),
         lambda r: save(r, court="Supreme Court")),
        ("transfer", lambda p: TransferFactory(detention=DetentionFactory(detainee=p)),
         lambda r: save(r, facility_name="IK-6")),
        ("designation", lambda p: DesignationFactory(detainee=p), lambda r: save(r, authority="Memorial")),
        ("participation", lambda p: ParticipantFactory(detainee=p), lambda r: save(r, note="via Ankara")),
        ("citation", lambda p: DetentionFactory(detainee=p), lambda r: r.sources.add(SourceFactory())),
        ("deletion", lambda p: DesignationFactory(detainee=p), lambda r: r.delete()),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(9))
def test_a_change_to_any_record_of_a_case_moves_the_case(api, index):
    import datetime

    from django.utils import timezone

    from detainees.models import Detainee

    name, make, change = _case_changes()[index]
    person = DetaineeFactory(is_published=True)
    record = make(person)
    before = api.get(f"/api/v1/detainees/{person.pk}/")
    earlier = timezone.now() - datetime.timedelta(hours=1)
    Detainee.objects.filter(pk=person.pk).update(updated_at=earlier)  # as if the case were last touched an hour ago
    mark = timezone.now()
    history = person.history.count()
    change(record)
    found = api.get("/api/v1/detainees/", {"updated_since": mark.isoformat()}).json()
    assert [row["id"] for row in found["results"]] == [person.pk], name
    after = api.get(f"/api/v1/detainees/{person.pk}/")
    assert after.get("Last-Modified") != before.get("Last-Modified") or after["ETag"] != before["ETag"]
    assert Detainee.objects.get(pk=person.pk).updated_at >= mark
    assert person.history.count() == history  # the record's own history has the change; the person gets no noise


def test_conditional_reads_as_rfc_9110_says(api):
    person = DetaineeFactory(is_published=True)
    url = f"/api/v1/detainees/{person.pk}/"
    first = api.get(url)
    assert first["Cache-Control"].startswith("public, max-age=60") and "Authorization" in first["Vary"]
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT").status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    listing = api.get("/api/v1/detainees/")
    assert listing["ETag"].startswith('"')
    assert api.get("/api/v1/detainees/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    DetaineeFactory(is_published=True)
    assert api.get("/api/v1/detainees/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_if_none_match_star_refuses_to_overwrite(editor_api):
    person = DetaineeFactory(is_published=False)
    url = f"/api/v1/detainees/{person.pk}/"
    assert editor_api.get(url)["Cache-Control"] == "private, no-store"
    assert editor_api.patch(url, {"description": "x"}, HTTP_IF_NONE_MATCH="*").status_code == 412
    etag = editor_api.get(url)["ETag"]
    assert editor_api.patch(url, {"description": "x"}, HTTP_IF_NONE_MATCH=etag).status_code == 412
    assert editor_api.patch(url, {"description": "x"}, HTTP_IF_NONE_MATCH='"old"').status_code == 200


def test_cors_preflight_allows_the_conditional_headers(client):
    wanted = "if-none-match, if-match, if-modified-since"
    preflight = client.options(
        "/api/v1/detainees/1/",
        HTTP_ORIGIN="https://notebook.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=wanted,
    )
    allowed = preflight["Access-Control-Allow-Headers"].lower()
    assert {"if-match", "if-none-match", "if-modified-since"} <= {h.strip() for h in allowed.split(",")}


# ---- 5. filters a script can combine --------------------------------------------------------------------------


def ids_of(api, path, params) -> set[int]:
    response = api.get(path, params)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_repeated_and_comma_separated_values_mean_any_of(api):
    from urllib.parse import urlencode

    us = DetaineeFactory(citizenships=["US"], is_published=True)
    ru = DetaineeFactory(citizenships=["RU"], is_published=True)
    DetaineeFactory(citizenships=["DE"], is_published=True)
    both = {us.pk, ru.pk}
    assert ids_of(api, "/api/v1/detainees/?" + urlencode([("citizenship", "US"), ("citizenship", "RU")]), {}) == both
    assert ids_of(api, "/api/v1/detainees/", {"citizenship": "us,RU"}) == both
    assert ids_of(api, "/api/v1/detainees/", {"id": f"{us.pk},{ru.pk}"}) == both
    assert ids_of(api, "/api/v1/detainees/?" + urlencode([("id", us.pk), ("id", ru.pk)]), {}) == both
    e1, e2 = ExchangeFactory(is_published=True), ExchangeFactory(is_published=True)
    ExchangeFactory(is_published=True)
    ParticipantFactory(exchange=e1, detainee=us)
    ParticipantFactory(exchange=e2, detainee=ru)
    assert ids_of(api, "/api/v1/detainees/", {"exchange": f"{e1.pk},{e2.pk}"}) == both
    assert ids_of(api, "/api/v1/exchanges/", {"detainee": f"{us.pk},{ru.pk}"}) == {e1.pk, e2.pk}
    assert ids_of(api, "/api/v1/exchanges/?" + urlencode([("status", "completed"), ("status", "failed")]), {}) >= {
        e1.pk, e2.pk}  # fmt: skip
    response = api.get("/api/v1/detainees/", {"citizenship": "US,XX"})
    assert response.status_code == 400 and "citizenship" in response.json()


def test_the_schema_says_filters_take_several_values(api):
    spec = api.get("/api/schema/", {"format": "json"}).json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/detainees/"]["get"]["parameters"]}
    for name in ("citizenship", "held_by", "status", "charge_category", "designation", "exchange", "id"):
        assert params[name]["schema"]["type"] == "array" and params[name]["explode"] is True, name
        assert "commas" in params[name]["description"], name
    assert params["held_on"]["schema"]["type"] == "string"  # a date is one value


@pytest.mark.parametrize("name", ["date_to", "date_from", "country", "year", "status", "q", "detainee", "page",
                                  "page_size", "ordering", "fields", "updated_since"])  # fmt: skip
def test_an_empty_value_is_no_filter_everywhere(api, name):
    ExchangeFactory(is_published=True)
    response = api.get("/api/v1/exchanges/", {name: ""})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_unknown_nested_field_is_a_400(api, demo):
    for endpoint in ("detainees", "exchanges", "sentences"):
        response = api.get(f"/api/v1/{endpoint}/", {"fields": "id,detentions.bogus,participants.bogus,changes.bogus"})
        assert response.status_code == 400 and "fields" in response.json(), endpoint
    assert (
        api.get("/api/v1/detainees/", {"fields": "detentions.held_by,detentions.charges.category"}).status_code == 200
    )
    assert api.get("/api/v1/detainees/", {"fields": "name.first"}).status_code == 400


def test_dump_rejects_unknown_parameters(api):
    response = api.get("/api/v1/dump/", {"formt": "json"})
    assert response.status_code == 400 and "formt" in response.json()


# ---- 6. search as a reader types ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["g", "gersh", "gershkovi", "gershkovic", "gershkovich", "evan gershkovic", "Гершко"])
def test_every_prefix_of_the_last_word_finds_gershkovich(api, typed):
    evan = DetaineeFactory(name="Evan Gershkovich", name_original="Эван Гершкович", is_published=True)
    DetaineeFactory(name="Paul Whelan", is_published=True)
    assert evan.pk in ids_of(api, "/api/v1/detainees/", {"q": typed})


@pytest.mark.parametrize("typed", ["b", "bo", "bou", "bout", "viktor b", "vik", "Бу"])
def test_every_prefix_of_the_last_word_finds_bout(api, typed):
    bout = DetaineeFactory(name="Viktor Bout", name_original="Виктор Бут", is_published=True)
    DetaineeFactory(name="Paul Whelan", is_published=True)
    found = api.get("/api/v1/detainees/", {"q": typed}).json()["results"]
    assert [row["id"] for row in found][:1] == [bout.pk]
    assert "Paul Whelan" not in [row["name"] for row in found]


def test_exchange_search_finds_a_participant_by_the_start_of_a_name(api):
    exchange = ExchangeFactory(name="Abu Dhabi swap", is_published=True)
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(name="Viktor Bout", is_published=True))
    assert ids_of(api, "/api/v1/exchanges/", {"q": "bou"}) == {exchange.pk}


def test_prefix_search_keeps_the_trigram_index_on_postgresql():
    from django.db import connection

    from detainees.models import Detainee

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    DetaineeFactory(name="Evan Gershkovich", is_published=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # few rows: make the planner show whether it can use it
    plan = Detainee.objects.search("gershkovic").order_by().explain()  # the OR of prefix forms alone
    assert "detainee_search_key_trgm" in plan and "BitmapOr" in plan, plan


# ---- 7. a schema that generates a working client (the client itself: test_generated_client.py) -----------------


@pytest.fixture
def spec(api):
    return api.get("/api/schema/", {"format": "json"}).json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_request_bodies_are_json_only(spec):
    bodies = [op["requestBody"]["content"] for _, _, op in operations(spec) if "requestBody" in op]
    assert bodies and all(list(content) == ["application/json"] for content in bodies)


def test_reads_are_open_and_writes_need_a_token(spec):
    for path, method, op in operations(spec):
        anonymous = {} in op.get("security", [])
        assert anonymous == (method == "get"), (method, path)
        assert {"tokenAuth": []} in op["security"] or path in ("/api/v1/dump/",), (method, path)


def test_errors_headers_and_csv_are_documented(spec):
    for path, method, op in operations(spec):
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema.endswith("/Conflict" if code == "409" and method == "delete" else "/Error"), (path, code)
            if "text/csv" in response.get("content", {}):
                assert method == "get" and response["content"]["text/csv"]["schema"] == {"type": "string"}
        if method == "get" and "200" in op["responses"]:
            assert {"ETag", "Cache-Control"} <= set(op["responses"]["200"]["headers"]), path
        assert "Retry-After" in op["responses"]["429"]["headers"]
    detail = spec["paths"]["/api/v1/detainees/{id}/"]
    assert "Last-Modified" in detail["get"]["responses"]["200"]["headers"]
    assert "409" in detail["delete"]["responses"]
    assert "text/csv" in spec["paths"]["/api/v1/detainees/"]["get"]["responses"]["200"]["content"]


def test_operations_are_grouped_named_and_summarised(spec):
    tags = {t["name"]: t["description"] for t in spec["tags"]}
    assert tags["detainees"] and tags["exchanges"] and tags["sentence-changes"]
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids)) and "detainees_list" in ids and "exchanges_create" in ids
    assert all(not i.startswith(("api_", "v1_")) for i in ids)
    for path, _, op in operations(spec):
        assert op["tags"] == [path.removeprefix("/api/v1/").split("/")[0]] and op.get("summary"), path


def test_one_country_enum_and_responses_without_required_fields(spec):
    schemas = spec["components"]["schemas"]
    codes = [name for name, s in schemas.items() if "RU" in s.get("enum", [])]
    assert codes == ["CountryEnum"]
    text = json.dumps(spec)
    assert text.count('"RU"') == 1  # nowhere inline, parameters included
    for name in ("Detainee", "Exchange", "NestedDetention", "Participant", "SentenceChangeResource"):
        assert "required" not in schemas[name], name  # `fields=` may leave any field out
    assert schemas["ExchangeRequest"]["required"]
    dump = spec["paths"]["/api/v1/dump/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert dump["$ref"].endswith("/PublicDump")
    assert set(schemas["PublicDump"]["properties"]) >= {"format", "version", "detainees", "exchanges", "statements"}


def test_errors_are_json_even_when_csv_was_asked_for(api):
    for path in ("/api/v1/detainees/", "/api/v1/detainees/999/"):
        response = api.get(path, {"format": "csv", "bogus": "1"})
        assert response.status_code in (400, 404) and response["Content-Type"] == "application/json", path
        response.json()


def test_a_bad_value_with_a_percent_sign_is_a_400(api):
    response = api.get("/api/v1/charges/", {"category": "%s%", "detainee": "false"})
    assert response.status_code == 400 and {"category", "detainee"} <= set(response.json())


def test_a_duplicate_unique_value_is_a_409_naming_the_field(editor_api):
    DetaineeFactory(wikidata_id="Q42")
    response = editor_api.post("/api/v1/detainees/", {"name": "Someone", "wikidata_id": "Q42"})
    assert response.status_code == 409 and "wikidata_id" in response.json()
    OutletFactory(name="TASS")
    response = editor_api.post("/api/v1/outlets/", {"name": "TASS", "kind": "wire_agency"})
    assert response.status_code == 409 and "name" in response.json()
    response = editor_api.post("/api/v1/exchanges/", {"name": "x", "sources": {}})
    assert response.status_code == 400 and "sources" in response.json()
    response = editor_api.post("/api/v1/outlets/?format=csv", {"name": "Reuters", "kind": "wire_agency"})
    assert response.status_code == 201 and response["Content-Type"] == "application/json"


def test_a_body_that_clashes_with_the_records_on_file_is_a_409_naming_the_field(editor_api):
    source = SourceFactory(url="https://example.org/a")
    response = editor_api.post("/api/v1/sources/", {"title": "Again", "url": source.url, "outlet": source.outlet_id})
    assert response.status_code == 409 and list(response.json()) == ["url"]  # not "Constraint … is violated"
    response = editor_api.post(
        "/api/v1/detentions/", {"detainee": 987654321, "held_by": "RU", "detained_on": "2020-01-01"}
    )
    assert response.status_code == 409 and "detainee" in response.json()  # an id naming no record
    response = editor_api.post("/api/v1/detentions/", {"detainee": "x", "held_by": "RU", "detained_on": "2020-01-01"})
    assert response.status_code == 400 and "detainee" in response.json()  # not an id at all


def test_text_and_booleans_must_come_as_json_strings_and_booleans(editor_api):
    response = editor_api.post("/api/v1/detainees/", {"name": 12, "is_published": "yes", "aliases": ["A", 3]})
    assert response.status_code == 400 and {"name", "is_published", "aliases"} <= set(response.json())
    response = editor_api.post("/api/v1/exchanges/", {"name": "x", "counts": [{"number": 2, "description": 0}]})
    assert response.status_code == 400 and response.json()["counts"][0] == {"description": ["Not a valid string."]}
    response = editor_api.post("/api/v1/officials/", {"name": "x", "country": {}})
    assert response.status_code == 400 and "country" in response.json()
    response = editor_api.post("/api/v1/exchanges/", {"name": "x", "mediators": {"RU": 1}})
    assert response.status_code == 400 and "mediators" in response.json()
    response = editor_api.post("/api/v1/exchanges/", {"name": "x", "mediators": [{}]})
    assert response.status_code == 400 and "mediators" in response.json()


def test_the_schema_describes_addresses_as_the_api_accepts_them(spec, editor_api):
    import re

    pattern = spec["components"]["schemas"]["OutletRequest"]["properties"]["website"]["oneOf"][0]["pattern"]
    refused = "https://" + "0" * 63 + ".a"  # a one-letter top-level domain, which `format: uri` alone allows
    assert not re.match(pattern, refused)
    assert editor_api.post("/api/v1/outlets/", {"name": "X", "kind": "other", "website": refused}).status_code == 400
    good = "https://www.example.org/about?lang=en#team"
    assert re.match(pattern, good)
    assert editor_api.post("/api/v1/outlets/", {"name": "Y", "kind": "other", "website": good}).status_code == 201
    currencies = spec["components"]["schemas"]["SentenceRequest"]["properties"]["fine_currency"]["enum"]
    assert {"", "RUB", "USD"} <= set(currencies) and "00" not in currencies  # what CurrencyValidator accepts

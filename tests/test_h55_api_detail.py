"""The API detail `/api/v1/detainees/<id>/`, cold (its stored document built in the request) and warm (read): the
statements each sends, and the same bytes and headers as the site computes without stored documents (h55)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from casedocs import services
from casedocs.models import CaseDocument
from changes.models import Published
from changes.services import last_published
from detainees.documents import TOP_FIELDS, build_documents
from detainees.models import Detainee
from tests.api.test_documents import awkward_case
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db

FRESH = override_settings(PAGE_CACHE_SECONDS=0)  # the response cache would hide what is measured here
WITHOUT = override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)
# What a response says besides its body: every header but the date of the answer itself.
HEADERS = ["Content-Type", "ETag", "Last-Modified", "Vary", "Cache-Control", "Surrogate-Key", "X-Data-Version",
           "Content-Language", "Allow", "Content-Security-Policy", "Permissions-Policy", "X-Frame-Options",
           "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"]  # fmt: skip


def statements(client, url: str, **headers) -> tuple[object, list[str]]:
    with FRESH, CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def shown(response) -> tuple:
    return response.status_code, response.content, {name: response.get(name) for name in HEADERS}, sorted(response)


def test_a_cold_api_detail_reads_the_person_with_the_claim(client, demo):
    """On PostgreSQL a cold API detail is four statements (seven before h55: the person's row was a query of its
    own, after the claim; six before h64: the citations and the feed's last event were queries of their own): the
    stored read with the feed's last event (Last-Modified), the claim with the versions, marks and the person's row,
    the nested records with their citations, and the store (once the answer is sent)."""
    person = Detainee.objects.published().get(slug="paul-whelan")
    CaseDocument.objects.filter(pk=person.pk).delete()
    response, sent = statements(client, f"/api/v1/detainees/{person.pk}/")
    assert response.status_code == 200 and services.current().filter(pk=person.pk).exists()
    if connection.vendor == "postgresql":
        assert len(sent) == 4, "\n".join(sent)
        assert not any('FROM "detainees_detainee"' in sql for sql in sent), "\n".join(sent)


def test_a_warm_api_detail_is_one_statement(client, demo):
    """The stored document with the feed's last event of the record (one prepared statement on PostgreSQL; two
    before h64)."""
    person = Detainee.objects.published().get(slug="paul-whelan")
    services.build([person.pk], pages=False)
    response, sent = statements(client, f"/api/v1/detainees/{person.pk}/")
    assert response.status_code == 200
    assert len(sent) == 1, "\n".join(sent)
    if connection.vendor == "postgresql":  # prepared statements: EXECUTE names no table
        assert all(sql.startswith(("EXECUTE", "PREPARE", "DEALLOCATE")) for sql in sent), "\n".join(sent)
    else:
        assert "casedocs_casedocument" in sent[0] and "changes_published" in sent[0]


def test_cold_and_warm_answers_are_what_the_site_computes_without_stored_documents(client, demo):
    """Every demo person: body and headers of the first visit (built), of the next (stored), of a conditional
    request (304) and of a `fields=` selection, equal to those computed without stored documents."""
    people = list(Detainee.objects.published().order_by("pk"))
    CaseDocument.objects.all().delete()
    for person in people:
        url = f"/api/v1/detainees/{person.pk}/"
        with FRESH:
            cold, warm = client.get(url), client.get(url)
            selected = client.get(url, {"fields": "id,name,detentions.charges"})
            not_modified = client.get(url, HTTP_IF_NONE_MATCH=warm["ETag"])
        with WITHOUT:
            computed = client.get(url)
            computed_selected = client.get(url, {"fields": "id,name,detentions.charges"})
            computed_not_modified = client.get(url, HTTP_IF_NONE_MATCH=computed["ETag"])
        assert shown(cold) == shown(warm) == shown(computed), person.slug
        assert shown(selected) == shown(computed_selected), person.slug
        assert shown(not_modified) == shown(computed_not_modified) and not_modified.status_code == 304, person.slug
    assert services.current().count() == len(people)


def test_the_claims_rows_are_the_querysets(demo):
    """The person's row read with the claim (PostgreSQL) is `values(*TOP_FIELDS)`'s, field by field and type by
    type (the aliases' JSON decoded, citizenships as stored), and the documents built from it the same bytes."""
    awkward_case()
    ids = list(Detainee.objects.published().order_by("pk").values_list("pk", flat=True))
    CaseDocument.objects.all().delete()
    built = services.build(ids, pages=False)
    rows = Detainee.objects.published().filter(pk__in=ids).order_by("pk").values(*TOP_FIELDS)
    expected = dict(zip(ids, build_documents(list(rows), services._OriginOnly), strict=True))
    assert {pk: document for pk, (document, _) in built.items()} == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(services._claim_and_read(), [ids, ids])
            claimed = [services._person_row(row[3:], "default") for row in cursor.fetchall()]
        assert [(r, {k: type(v) for k, v in r.items()}) for r in claimed] == [
            (r, {k: type(v) for k, v in r.items()}) for r in rows
        ]


def test_a_drafts_id_answers_as_nobodys_and_claims_nothing(client, demo):
    draft = DetaineeFactory(is_published=False)
    with FRESH:
        answers = [client.get(f"/api/v1/detainees/{pk}/") for pk in (draft.pk, 999_999)]
    assert answers[0].status_code == answers[1].status_code == 404
    assert answers[0].content == answers[1].content
    assert sorted(answers[0]) == sorted(answers[1])
    assert not CaseDocument.objects.filter(pk__in=[draft.pk, 999_999]).exists()


def test_the_last_event_read_is_the_orms(demo):
    """`last_published` (one prepared statement) gives what `Published.objects…first()` gives, for every record of
    the feed, and None for one it never named."""
    rows = list(Published.objects.all())
    assert rows
    for row in rows:
        last = last_published(row.resource, row.object_id)
        assert (last.op, last.digest, last.at, last.previous_at) == (row.op, row.digest, row.at, row.previous_at)
        assert last.at.utcoffset() is not None
    assert last_published("detainees", 999_999_999) is None


DJANGO_CSP = [name if name != "common.middleware.CSPMiddleware" else "csp.middleware.CSPMiddleware"
              for name in settings.MIDDLEWARE]  # fmt: skip


@pytest.mark.parametrize("debug", [False, True])
def test_the_policies_built_once_are_django_csps(demo, debug):
    """Every kind of response (an API read, a page, an API 404, a page 404, a view that replaces a directive, a
    redirect) carries the same Content-Security-Policy headers from `common.middleware.CSPMiddleware` as from
    django-csp's own middleware, DEBUG's error pages included; a changed setting is followed."""
    from django.test import Client

    person = Detainee.objects.published().get(slug="paul-whelan")
    urls = [f"/api/v1/detainees/{person.pk}/", f"/detainees/{person.slug}/", "/api/v1/detainees/999999/",
            "/detainees/nobody-at-all/", f"/api/reconcile/preview?id={person.pk}", "/en/about/",
            "/healthz"]  # fmt: skip
    report_only = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"}}

    def headers(middleware, **more):
        with FRESH, override_settings(MIDDLEWARE=middleware, DEBUG=debug, **more):
            client = Client()
            return [(url, response.status_code, response.get("Content-Security-Policy"),
                     response.get("Content-Security-Policy-Report-Only"))
                    for url in urls for response in [client.get(url)]]  # fmt: skip

    ours, theirs = headers(settings.MIDDLEWARE), headers(DJANGO_CSP)
    assert ours == theirs
    assert any("frame-ancestors *" in (policy or "") for _, _, policy, _ in ours)  # the replaced directive
    assert any("frame-ancestors 'none'" in (policy or "") for _, _, policy, _ in ours)
    changed = headers(settings.MIDDLEWARE, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only)
    assert changed == headers(DJANGO_CSP, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only)
    assert "report-uri /csp-report/" in changed[0][3] and not ours[0][3]  # the API detail's, with the setting
    assert headers(settings.MIDDLEWARE) == ours  # and back

"""Cold and warm stored case documents (issue 21 item 3): what a first visit to a case costs when its stored document
is not built, beside one that is, and what building them costs.

    DATABASE_URL=postgres://…/tracker_copy .venv/bin/python bench/cold_documents.py [--people 80] [--rebuild]

Run it on a COPY of a large database: it deletes and rebuilds stored documents. Requests go through Django's test
client (the whole middleware stack, no network, no response cache: PAGE_CACHE_SECONDS=0), one at a time, each to a
distinct person: "cold" is a first visit whose stored document is missing (it is built and stored in the request),
"warm" the second visit to the same URL (one indexed read), "none" the same request with stored documents switched
off (CASE_DOCUMENTS=False, the case computed afresh). Then the levers, per document: an API document built one by
one or in a batch of 100 (three queries a batch), by the DRF serializer instead of plain dicts, and a case page's
queries and Python apart from its template rendering. With --rebuild, `build_case_documents --jobs 2` over every
published case is timed (API documents; and pages on a sample, extrapolated). Prints a table; the load average is
printed beside it, as the machine may be shared.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def p50(times: list[float]) -> float:
    return statistics.median(times)


def visits(client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=80, help="Distinct people per kind of request (default 80).")
    parser.add_argument("--rebuild", action="store_true", help="Also time build_case_documents --jobs 2 (all).")
    parser.add_argument("--page-sample", type=int, default=2000, help="People whose pages --rebuild renders.")
    parser.add_argument("--drop-feed-marks", action="store_true",
                        help="Delete the change feed's pending marks instead of publishing them (a COPY only: draining "
                        "100,000 generated cases takes most of an hour on a shared machine; reads then find the feed "
                        "current, as after `publish_changes`).")  # fmt: skip
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from casedocs import services
    from casedocs.models import CaseDocument
    from changes.models import Mark
    from detainees.documents import TOP_FIELDS, build_documents
    from detainees.models import Detainee
    from detainees.selectors import case_queryset
    from detainees.serializers import DetaineeSerializer

    if args.drop_feed_marks:  # see --drop-feed-marks; a DELETE would leave millions of dead rows for each read to scan
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {Mark._meta.db_table}")
        else:
            Mark.objects.all().delete()
    else:
        started = time.monotonic()
        call_command("publish_changes", verbosity=0)  # drained, as after any bulk import (else a read publishes)
        print(f"Change feed current ({time.monotonic() - started:.0f} s)", flush=True)
    n = args.people
    people = list(Detainee.objects.published().order_by("?").values_list("pk", "slug")[: n * 5])
    sets = [people[i * n : (i + 1) * n] for i in range(5)]
    CaseDocument.objects.filter(pk__in=[pk for pk, _ in people]).delete()  # cold: nothing stored for them
    client = Client()
    rows = []
    load = os.getloadavg()
    print(f"{Detainee.objects.published().count():,} published people, {connection.vendor}; {n} distinct people "
          f"per row, Django test client, no response cache; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
          flush=True)  # fmt: skip
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get("/healthz")
        visits(client, [f"/api/v1/detainees/{pk}/" for pk, _ in people[-3:]])  # warm the process up
        visits(client, [f"/detainees/{slug}/" for _, slug in people[-3:]])
        api = [f"/api/v1/detainees/{pk}/" for pk, _ in sets[0]]
        page = [f"/detainees/{slug}/" for _, slug in sets[1]]
        rows.append(("/healthz", p50(visits(client, ["/healthz"] * n))))
        rows.append(("API detail, cold (document not built)", p50(visits(client, api))))
        rows.append(("API detail, warm (document built)", p50(visits(client, api))))
        rows.append(("case page, cold (nothing built)", p50(visits(client, page))))
        rows.append(("case page, warm (page built)", p50(visits(client, page))))
        page_after_api = [f"/detainees/{slug}/" for _, slug in sets[0]]
        rows.append(("case page, cold (its API document built)", p50(visits(client, page_after_api))))
        real_build = services.build
        with mock.patch.object(services, "build", lambda ids, pages=True: real_build(ids, pages=True)):
            rows.append(("API detail, cold, built with its page (before)",
                         p50(visits(client, [f"/api/v1/detainees/{pk}/" for pk, _ in sets[2]]))))  # fmt: skip
        with override_settings(CASE_DOCUMENTS=False):
            rows.append(("API detail, no stored documents", p50(visits(client, [f"/api/v1/detainees/{pk}/"
                                                                                 for pk, _ in sets[3]]))))  # fmt: skip
            rows.append(("case page, no stored documents",
                         p50(visits(client, [f"/detainees/{slug}/" for _, slug in sets[3]]))))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:8.1f} ms p50")

    # The levers, per document.
    ids = [pk for pk, _ in sets[4]]
    levers = []

    def per_document(work, count) -> float:
        started = time.perf_counter()
        work()
        return (time.perf_counter() - started) * 1000 / count

    def assemble(chunk):
        return build_documents(list(Detainee.objects.published().filter(pk__in=chunk).values(*TOP_FIELDS)),
                               services._OriginOnly)  # fmt: skip

    levers.append(("API document, one by one (3 queries each)", per_document(lambda: [assemble([i]) for i in ids],
                                                                              len(ids))))  # fmt: skip
    levers.append(("API document, in one batch (3 queries)", per_document(lambda: assemble(ids), len(ids))))
    request = APIRequestFactory().get("/api/v1/detainees/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    drf = Request(request)
    levers.append(("API document, DRF serializer, prefetched batch", per_document(
        lambda: DetaineeSerializer(case_queryset(request.user).filter(pk__in=ids), many=True,
                                   context={"request": drf}).data, len(ids))))  # fmt: skip
    levers.append(("API document stored, batch (build and store)", per_document(
        lambda: services.build(ids, pages=False), len(ids))))  # fmt: skip
    from detainees.views import DetaineeDetailView

    slugs = [slug for _, slug in sets[4]]
    context_ms, template_ms = [], []
    for slug in slugs:
        view_request = services._DocumentRequest(f"/detainees/{slug}/")
        view = DetaineeDetailView()
        view.setup(view_request, slug=slug)
        started = time.perf_counter()
        response = view.get(view_request)
        middle = time.perf_counter()
        response.render()
        context_ms.append((middle - started) * 1000)
        template_ms.append((time.perf_counter() - middle) * 1000)
    levers.append(("case page: its queries and context (p50)", p50(context_ms)))
    levers.append(("case page: the template rendered (p50)", p50(template_ms)))
    width = max(len(r[0]) for r in levers)
    print("Levers (ms per document):")
    for name, ms in levers:
        print(f"  {name:<{width}}  {ms:8.2f} ms")

    if args.rebuild:
        quiet = open(os.devnull, "w")  # noqa: SIM115
        started = time.monotonic()
        call_command("build_case_documents", jobs=2, batch=100, stdout=quiet, stderr=quiet)
        seconds = time.monotonic() - started
        count = CaseDocument.objects.exclude(api="").count()
        print(f"build_case_documents --jobs 2 (API documents): {count:,} in {seconds:.1f} s "
              f"({count / seconds:,.0f} a second)")  # fmt: skip
        sample = list(Detainee.objects.published().order_by("pk").values_list("pk", flat=True)[: args.page_sample])
        started = time.monotonic()
        from casedocs.management.commands.build_case_documents import _build_chunk

        chunks = [sample[i : i + 100] for i in range(0, len(sample), 100)]
        from django.db import connections

        connections.close_all()
        import functools
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(2) as pool:
            pool.map(functools.partial(_build_chunk, pages=True), chunks)
        seconds = time.monotonic() - started
        total = Detainee.objects.published().count()
        print(f"build_case_documents --jobs 2 --pages: {len(sample):,} in {seconds:.1f} s, "
              f"{seconds / len(sample) * total:,.0f} s for all {total:,} at that rate")  # fmt: skip
    load = os.getloadavg()
    print(f"load average after: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()

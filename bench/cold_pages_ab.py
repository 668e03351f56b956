"""Cold case pages and API details, two versions of the code side by side (issue 21 item 3, helper h28).

    DATABASE_URL=postgres://…/tracker_copy .venv/bin/python bench/cold_pages_ab.py --before /tmp/old-checkout \
        [--people 40] [--ports 8281,8282] [--out NAME]

Run it on a COPY of a large database: it deletes stored documents. `--before` is a plain export of an older commit
(`git archive <commit> | tar -x -C DIR`, with `.venv` linked and `compilemessages` run); this checkout is "after".
Each version is served by its own gunicorn (one worker, DEBUG off, response cache off, persistent connection) on
the same database, and the two are asked in turn, one request at a time: `/healthz`, then a cold case page (a
person whose stored document was deleted: built and stored in the request), then a cold API detail, each to a
distinct person per version and request, so both see the same machine at the same moment. Prints p50/p95 per row
and each p50 as a multiple of the same server's `/healthz`, with the load average before and after; writes
bench/results/cold-pages-ab-<name>.json.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
HOST = "127.0.0.1"
ENV = {"DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": HOST,
       "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
       "PAGE_CACHE_SECONDS": "0"}  # fmt: skip


def start(root: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, **ENV}
    subprocess.run([str(root / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root,
                   env=env, check=True)  # fmt: skip
    server = subprocess.Popen([str(root / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}",
                               "--workers", "1", "--log-level", "warning"], cwd=root, env=env)  # fmt: skip
    for _ in range(200):
        try:
            if get(port, "/healthz")[1] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn on {port} did not start")


def get(port: int, path: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return (time.perf_counter() - started) * 1000, response.status


def stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "n": len(ordered)}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--ports", default="8281,8282")
    parser.add_argument("--out", default=time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from casedocs.models import CaseDocument
    from detainees.models import Detainee

    n = args.people
    people = list(Detainee.objects.published().order_by("?").values_list("pk", "slug")[: n * 4 + 4])
    CaseDocument.objects.filter(pk__in=[pk for pk, _ in people]).delete()  # cold: nothing stored for them
    ports = dict(zip(("before", "after"), (int(p) for p in args.ports.split(",")), strict=True))
    roots = {"before": args.before.resolve(), "after": ROOT}
    load_before = os.getloadavg()
    servers = {name: start(roots[name], port) for name, port in ports.items()}
    times: dict[str, dict[str, list[float]]] = {name: {"healthz": [], "page": [], "api": []} for name in ports}
    try:
        for i, name in enumerate(ports):  # warm each worker up (imports, prepared statements) on a person of its own
            pk, slug = people[-1 - i]
            get(ports[name], f"/detainees/{slug}/")
            get(ports[name], f"/api/v1/detainees/{pk}/")
        for i in range(n):
            for j, name in enumerate(ports):
                port = ports[name]
                for _ in range(2):
                    times[name]["healthz"].append(get(port, "/healthz")[0])
                _, slug = people[4 * i + j]
                ms, status = get(port, f"/detainees/{slug}/")
                assert status == 200, (slug, status)
                times[name]["page"].append(ms)
                pk, _ = people[4 * i + 2 + j]
                ms, status = get(port, f"/api/v1/detainees/{pk}/")
                assert status == 200, (pk, status)
                times[name]["api"].append(ms)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)
    load_after = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    result = {"database": database, "published": Detainee.objects.published().count(), "people_per_row": n,
              "load_before": [round(x, 1) for x in load_before], "load_after": [round(x, 1) for x in load_after],
              "rows": {name: {k: stats(t) for k, t in kinds.items()} for name, kinds in times.items()}}  # fmt: skip
    print(
        f"{result['published']:,} published people in {database}; {n} distinct people per row and version, one "
        f"gunicorn worker each, asked in turn; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print("| first visit, p50 (p95) ms | before | × healthz | after | × healthz |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, label in (("healthz", "/healthz"), ("page", "case page, cold"), ("api", "API detail, cold")):
        cells = []
        for name in ports:
            row, floor = result["rows"][name][kind], result["rows"][name]["healthz"]["p50_ms"]
            cells += [f"{row['p50_ms']} ({row['p95_ms']})", f"{row['p50_ms'] / floor:.1f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    out = ROOT / "bench/results" / f"cold-pages-ab-{args.out}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()

"""How first visits to the lists grow with the number of cases, and what a write costs the next list visit.

    .venv/bin/python bench/lists_growth.py --db 2000=postgres://…/tracker_2k --db 100000=postgres://…/tracker_100k

For each database (already migrated and filled, e.g. by `generate_synthetic`), starts gunicorn (one worker, the
response cache off, DEBUG off) and measures, one client, each URL asked once (p50 over distinct URLs, so no answer
comes from a cache of figures or pages):

- the list page with facets (`/detainees/?page=N`), a filtered API list of 50, the `citizenship` list, name search
  as HTML and as JSON;
- the first `/detainees/` after an API PATCH (a write moves the data version: everything cached under it is cold)
  against the second visit, over several edits.

The databases' change feed must be drained first (`manage.py publish_changes`; on a throwaway copy of generated
data, `TRUNCATE changes_mark` is quicker): otherwise each PATCH publishes up to 5,000 marks of the generation before
it answers. Prints a table per size and the growth from the smallest to the largest size beside log n's; writes JSON
under bench/results/ (`--tag` names it). The machine's load average is recorded: other work shows in every column.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from run import Client  # noqa: E402

HOST = "127.0.0.1"
URLS = 40
SURNAMES = ["Petrov", "Ivanov", "Sokolov", "Volkov", "Kuznetsov", "Morozov", "Novikov", "Fedorov", "Orlov",
            "Zaitsev", "Belov", "Smirnov", "Lebedev", "Kozlov", "Pavlov", "Semenov", "Golubev", "Vinogradov",
            "Bogdanov", "Vorobiev", "Smith", "Miller", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Young",
            "Allen", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell",
            "Roberts", "Carter"]  # fmt: skip
HOLDERS = ["RU", "US", "BY", "IR", "CN", "DE", "VE", "KP", "TR", "AE", "PL", "GB"]
CITIZENSHIPS = ["US", "RU", "GB", "DE", "FR", "UA", "BY", "IR", "CA", "IL", "PL", "IE"]
STATUSES = ["held", "released", "exchanged", "deceased"]
ROWS = ["list page with facets", "API list of 50, filtered", "citizenship list", "name search, HTML",
        "name search, JSON", "list after a write (1st)", "list after a write (2nd)"]  # fmt: skip


def urls() -> dict[str, list[str]]:
    filtered = [f"held_by={h}&status={s}" for h in HOLDERS for s in STATUSES]
    return {
        "/healthz": ["/healthz"] * URLS,
        "list page with facets": [f"/detainees/?page={i}" for i in range(2, URLS + 2)],
        "API list of 50, filtered": [
            f"/api/v1/detainees/?{f}&page={1 + i // len(filtered)}" for i, f in enumerate((filtered * 2)[:URLS])
        ],  # fmt: skip
        "citizenship list": [
            f"/detainees/?citizenship={c}&page={1 + i // len(CITIZENSHIPS)}"
            for i, c in enumerate((CITIZENSHIPS * 4)[:URLS])
        ],  # fmt: skip
        "name search, HTML": [f"/detainees/?q={n}" for n in SURNAMES[:URLS]],
        "name search, JSON": [f"/api/v1/detainees/?q={n}" for n in SURNAMES[:URLS]],
    }


def p50(times: list[float]) -> float:
    return round(statistics.median(times), 2)


def start(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60,
           "ALLOWED_HOSTS": HOST, "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600",
           "API_ANON_RATE": "1000000000/minute", "PAGE_CACHE_SECONDS": "0"}  # fmt: skip
    env.pop("REDIS_URL", None)  # local-memory cache: one worker, and no other session's keys
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}",
                               "--workers", "1", "--log-level", "warning"], cwd=ROOT, env=env)  # fmt: skip
    client = Client(HOST, port)
    for _ in range(200):
        try:
            if client.get("/healthz")[1] == 200:
                return server
        except OSError:
            client.conn = None
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def write_then_visit(url: str, port: int, edits: int) -> tuple[list[float], list[float]]:
    """`edits` times: PATCH a detention's place through the API as an editor, then `/detainees/` twice."""
    env = {**os.environ, "DATABASE_URL": url}
    token = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();"
         "from django.contrib.auth.models import User, Permission; from rest_framework.authtoken.models import Token;"
         "u, _ = User.objects.get_or_create(username='bench-h16', defaults={'is_staff': True});"
         "u.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=['detainees','sources']));"
         "from detainees.models import Detention; print(Token.objects.get_or_create(user=u)[0].key,"
         "*Detention.objects.filter(detainee__is_published=True).order_by('id').values_list('id', flat=True)[:50])"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    key, ids = token[0], token[1:]
    import http.client

    client = Client(HOST, port)
    first, second = [], []
    for i in range(edits):
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        body = json.dumps({"place": f"bench edit {time.time()}"})
        conn.request("PATCH", f"/api/v1/detentions/{ids[i % len(ids)]}/", body,
                     {"Authorization": f"Token {key}", "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            print(f"  PATCH answered {response.status}", flush=True)
        first.append(client.get("/detainees/")[0])
        second.append(client.get("/detainees/")[0])
    client.close()
    return first, second


def measure(size: int, url: str, port: int, edits: int) -> dict:
    server = start(url, port)
    try:
        client = Client(HOST, port)
        for _ in range(5):
            client.get("/healthz")
        out = {"cases": size, "load_average": os.getloadavg()}
        for name, todo in urls().items():
            times, errors = [], 0
            for u in todo:
                elapsed, status = client.get(u)
                times.append(elapsed)
                errors += status != 200
            out[name] = {"p50_ms": p50(times), "errors": errors, "urls": len(set(todo))}
        client.close()
        first, second = write_then_visit(url, port, edits)
        out["list after a write (1st)"] = {"p50_ms": p50(first), "max_ms": round(max(first), 1)}
        out["list after a write (2nd)"] = {"p50_ms": p50(second), "max_ms": round(max(second), 1)}
        out["load_average_after"] = os.getloadavg()
        return out
    finally:
        server.terminate()
        server.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", required=True, help="SIZE=DATABASE_URL, smallest first")
    parser.add_argument("--port", type=int, default=8861)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    results = []
    for spec in args.db:
        size, url = spec.split("=", 1)
        print(f"Measuring {int(size):,} cases …", flush=True)
        results.append(measure(int(size), url, args.port, args.edits))
    head = f"{'first visit, p50 ms':<28}" + "".join(f"{r['cases']:>10,}" for r in results)
    small, large = results[0], results[-1]
    log_growth = math.log(large["cases"]) / math.log(small["cases"])
    print(head + f"{'growth':>9}{'log n':>7}")
    for name in ["/healthz", *ROWS]:
        cells = "".join(f"{r[name]['p50_ms']:>10.1f}" for r in results)
        growth = large[name]["p50_ms"] / max(small[name]["p50_ms"], 0.001)
        print(f"{name:<28}{cells}{growth:>8.1f}×{log_growth:>6.1f}×")
    for r in results:
        ratio = r["list after a write (1st)"]["p50_ms"] / max(r["list after a write (2nd)"]["p50_ms"], 0.001)
        print(f"{r['cases']:>8,} cases: first list visit after a write ÷ second = {ratio:.2f} (target ≤ 2); "
              f"load average {r['load_average'][0]:.1f} before, {r['load_average_after'][0]:.1f} after")  # fmt: skip
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = ROOT / "bench/results" / f"lists-growth{'-' + args.tag if args.tag else ''}-{stamp}.json"
    path.write_text(json.dumps({"log_n_growth": round(log_growth, 2), "sizes": results}, indent=1))
    print(f"Wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

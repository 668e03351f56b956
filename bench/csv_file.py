"""The CSV of every case: built as a file outside requests (dataset.csvfiles), then served through gunicorn, beside
the same rows streamed by the request (what every CSV did before, and what a filtered CSV still does).

Usage (a database with data whose change feed is drained, e.g. a copy of the 100k benchmark database):
    DATABASE_URL=postgres://.../tracker_x_100k .venv/bin/python bench/csv_file.py [--port 8261] [--runs 3]
Prints the load average, the time to build the detainees' file and every list's files (`build_csv_files`), then
through gunicorn (DEBUG off, 2 workers) the time of `curl -o /dev/null -w '%{time_total}'` for the file and for the
streamed CSV (the same list asked with `page_size=500`, a parameter CSV ignores but which makes the request stream),
alternating, and whether the two downloads are the same bytes (SHA-256). `--json FILE` also writes the figures.
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PROCESS_KIND", "command")  # a batch job, like build_csv_files: no web statement timeout


def curl(url: str, out: str = "/dev/null") -> tuple[float, int, str]:
    """(seconds, HTTP status, X-Feed-Seq header or '') of one download."""
    headers = tempfile.NamedTemporaryFile(delete=False)
    headers.close()
    done = subprocess.run(["curl", "-s", "-o", out, "-D", headers.name, "-w", "%{time_total} %{http_code}", url],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    seq = next((line.split(":", 1)[1].strip() for line in Path(headers.name).read_text().splitlines()
                if line.lower().startswith("x-feed-seq:")), "")  # fmt: skip
    os.unlink(headers.name)
    return float(done[0]), int(done[1]), seq


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8261")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    origin = f"http://127.0.0.1:{args.port}"
    dump_dir = Path(tempfile.mkdtemp(prefix="csv-bench-"))
    os.environ.update(DUMP_DIR=str(dump_dir), PUBLIC_ORIGIN=origin)

    import django

    django.setup()
    from django.db import connection

    from dataset import csvfiles
    from detainees.models import Detainee

    load = os.getloadavg()
    people = Detainee.objects.published().count()
    started = time.perf_counter()
    [path] = csvfiles.build(only=["detainees"]).values()
    build_detainees = time.perf_counter() - started
    started = time.perf_counter()
    every = csvfiles.build()
    build_all = time.perf_counter() - started
    sizes = {name: p.stat().st_size for name, p in every.items()}
    connection.close()

    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
           "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
    env.pop("PROCESS_KIND", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{args.port}",
                               "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
                              cwd=ROOT, env=env)  # fmt: skip
    try:
        for _ in range(100):
            try:
                if curl(f"{origin}/healthz")[1] == 200:
                    break
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.3)
        url = f"{origin}/api/v1/detainees/?format=csv"
        served, streamed = [], []
        file_copy, stream_copy = str(dump_dir / "served.csv"), str(dump_dir / "streamed.csv")
        for run in range(args.runs):  # alternating, so both see the same load
            seconds, status, seq = curl(url, file_copy if run == 0 else "/dev/null")
            assert status == 200 and seq, "the file was not served"
            served.append(seconds)
            seconds, status, seq = curl(f"{url}&page_size=500", stream_copy if run == 0 else "/dev/null")
            assert status == 200 and not seq, "the streamed CSV came from a file"
            streamed.append(seconds)
        same = sha256(file_copy) == sha256(stream_copy) == sha256(str(path))
    finally:
        server.terminate()
        server.wait()
    load_after = os.getloadavg()
    figures = {
        "database": connection.vendor, "published_detainees": people, "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in load_after], "build_detainees_s": round(build_detainees, 2),
        "build_all_lists_s": round(build_all, 2), "detainees_mb": round(path.stat().st_size / 1e6, 1),
        "all_lists_mb": round(sum(sizes.values()) / 1e6, 1), "serve_file_s": [round(s, 3) for s in served],
        "stream_s": [round(s, 3) for s in streamed], "same_bytes": same,
    }  # fmt: skip
    print(f"load average (1, 5, 15 min)   {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before, "
          f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} after")  # fmt: skip
    print(f"database                      {connection.vendor}, {people:,} published detainees")
    print(f"build detainees.csv           {build_detainees:8.2f} s   {path.stat().st_size / 1e6:.1f} MB")
    print(f"build all {len(every)} lists' files     {build_all:8.2f} s   {sum(sizes.values()) / 1e6:.1f} MB")
    runs = ", ".join(f"{s:.3f}" for s in served)
    print(f"serve the file (curl total)   {statistics.median(served):8.3f} s   runs: {runs}")
    print(f"stream it (curl total)        {statistics.median(streamed):8.3f} s   runs: "
          f"{', '.join(f'{s:.3f}' for s in streamed)}")  # fmt: skip
    print(f"file == streamed == built     {same}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()

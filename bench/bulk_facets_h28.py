"""The list's facet triggers on a bulk write (issue 21, helper h28): one INSERT of many rows, row-level triggers
(each row ran the whole refresh for its person) against statement-level ones (one set-wise refresh per statement).

    DATABASE_URL=postgres://…/tracker_copy .venv/bin/python bench/bulk_facets_h28.py [--rows 2000] [--rounds 3] \
        [--old-commit 357b5c3]

PostgreSQL only. Every measurement runs in a transaction that is rolled back (the triggers of the old commit's
`detainees/facets.py`, read with `git show`, or of this checkout, installed inside it), so the database is left as
it was; run it on a copy all the same, as it takes table locks. The two are measured in turn, `--rounds` times:
an INSERT of `--rows` detentions for as many distinct published people, then an UPDATE of their `held_by`, then
their DELETE (one statement each). Prints the median ms of each and the load average.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PROCESS_KIND", "command")  # no statement timeout: the old triggers take seconds


def old_facets(commit: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:detainees/facets.py"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    module = types.ModuleType("facets_old")
    exec(compile(source, "facets_old.py", "exec"), module.__dict__)  # noqa: S102 - this repository's own file
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old-commit", default="357b5c3")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from detainees import facets
    from detainees.models import Detainee, Detention

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only (SQLite's triggers are row-level either way).")
    versions = {"row-level (before)": old_facets(args.old_commit), "statement-level (after)": facets}
    people = list(Detainee.objects.published().order_by("?").values_list("pk", flat=True)[: args.rows])
    times = {name: {"insert": [], "update": [], "delete": []} for name in versions}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for name, module in versions.items():
            with transaction.atomic(), connection.cursor() as cursor:
                module.drop()
                for sql in module.statements("postgresql"):
                    cursor.execute(sql)
                rows = [Detention(detainee_id=pk, held_by="KP", detained_on=datetime.date(2022, 2, 17))
                        for pk in people]  # fmt: skip
                steps = (
                    ("insert", lambda rows=rows: Detention.objects.bulk_create(rows, batch_size=len(rows))),
                    ("update", lambda: Detention.objects.filter(held_by="KP").update(held_by="CU")),
                    ("delete", lambda: Detention.objects.filter(held_by="CU")._raw_delete(connection.alias)),
                )
                for step, write in steps:
                    started = time.perf_counter()
                    write()
                    times[name][step].append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
    load_after = os.getloadavg()
    print(f"{len(people):,} detentions of as many published people in one statement each, {args.rounds} rounds in "
          f"turn, median ms; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")  # fmt: skip
    print("| facet triggers | INSERT | UPDATE held_by | DELETE |")
    print("| --- | ---: | ---: | ---: |")
    for name, steps in times.items():
        print(f"| {name} | " + " | ".join(f"{statistics.median(t):,.0f}" for t in steps.values()) + " |")


if __name__ == "__main__":
    main()

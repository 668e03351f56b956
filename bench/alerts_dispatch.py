"""How fast the alerts worker turns feed events into deliveries, and sends webhook POSTs.

Usage (its own database; SQLite by default):
    DATABASE_URL=sqlite:////tmp/alerts-bench.sqlite3 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/alerts-bench.sqlite3 .venv/bin/python bench/alerts_dispatch.py --events 2000

Makes CASES published cases (half held by Russia), FOLLOWS case follows, SEARCHES saved-search follows and HOOKS
webhooks, appends EVENTS feed events, then times the dispatcher (feed → deliveries) and one worker process sending
the webhook deliveries to a receiver on loopback.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALERTS_WEBHOOK_ALLOW_PRIVATE", "true")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--follows", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=20)
    parser.add_argument("--hooks", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from tqdm import tqdm

    from alerts.dispatch import dispatch
    from alerts.models import Account, Delivery
    from alerts.services import create_follow, create_webhook
    from changes.models import Change
    from detainees.models import Detainee, Detention
    from tests.alerts.helpers import Receiver

    people = Detainee.objects.bulk_create(
        [Detainee(name=f"Bench Person {i}", slug=f"bench-person-{i}", citizenships=["US"], is_published=True)
         for i in range(args.cases)], batch_size=500)  # fmt: skip
    Detention.objects.bulk_create(
        [Detention(detainee=p, held_by="RU" if i % 2 else "IR", detained_on="2022-02-17")
         for i, p in enumerate(people)], batch_size=500)  # fmt: skip
    user = get_user_model().objects.create_user(username="bench@example.org", email="bench@example.org")
    Account.objects.create(user=user, email_confirmed=user.email, confirmed_at=timezone.now())
    for i in range(args.follows):
        create_follow(user=user, kind="detainee", object_id=people[i % len(people)].pk, label="x", email=False)
    for i in range(args.searches):
        create_follow(user=user, kind="search", query=f"held_by=RU&detained_from=20{10 + i % 10}-01-01", email=False)
    with Receiver() as receiver:
        for _ in range(args.hooks):
            create_webhook(user=user, url=receiver.url, resources=["detainees"])
        now = timezone.now()
        Change.objects.bulk_create(
            [Change(resource="detainees", object_id=people[i % len(people)].pk, op="upsert", at=now,
                    document={"id": people[i % len(people)].pk, "name": f"Bench Person {i % len(people)}"}, digest="")
             for i in range(args.events)], batch_size=500)  # fmt: skip

        started = time.perf_counter()
        with tqdm(total=args.events, desc="dispatch", unit="event") as bar:
            while read := dispatch(max_batches=1):
                bar.update(read)
        dispatched = time.perf_counter() - started
        made = Delivery.objects.count()
        hooks = Delivery.objects.filter(webhook__isnull=False).count()
        print(f"dispatch: {args.events} events, {args.follows} case follows, {args.searches} saved searches, "
              f"{args.hooks} webhooks -> {made} deliveries in {dispatched:.2f} s "
              f"({args.events / dispatched:,.0f} events/s)")  # fmt: skip

        started = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "manage.py", "alerts_worker", "--batch"], cwd=ROOT,
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        worker.communicate(timeout=3600)
        sent = time.perf_counter() - started
        delivered = Delivery.objects.filter(webhook__isnull=False, status="delivered").count()
        print(f"webhooks: {delivered}/{hooks} delivered by one worker in {sent:.1f} s "
              f"({delivered / sent:,.0f} POSTs/s), {len(receiver.requests)} requests received")  # fmt: skip


if __name__ == "__main__":
    main()

"""The background tasks (django-tasks). The worker (`manage.py alerts_worker`) runs them; a request never does."""

from django_tasks import task

from . import delivery


# Queued inside the sweeper's transaction, with the leases they carry: both commit or neither does.
@task(enqueue_on_commit=False)
def deliver_webhook(hook_id: int, token: str) -> dict:
    """A webhook's leased deliveries, in feed order (see `alerts.delivery.deliver_webhook`)."""
    return delivery.deliver_webhook(hook_id, token)


@task(enqueue_on_commit=False)
def send_email_alerts(user_id: int, token: str) -> str:
    """One email of a person's due alerts (see `alerts.delivery.send_email_alerts`)."""
    return delivery.send_email_alerts(user_id, token)


@task()
def send_confirmation(user_id: int) -> str:
    """The sign-up (or address change) confirmation link, by email."""
    from .accounts import send_confirmation as send

    return send(user_id)


@task()
def tick() -> dict:
    """The periodic round: read the feed, queue what is due. `alerts_worker` runs it itself every
    ALERTS_TICK_SECONDS; with another backend (RQ), schedule this task (rq-scheduler) or cron
    `alerts_worker --batch`."""
    return delivery.tick()


@task()
def daily_release(day: str, token: str) -> str:
    """The day's run claimed by `alerts.schedule.claim`: drain the change feed, make the day's release."""
    import datetime

    from . import schedule

    return schedule.run(datetime.date.fromisoformat(day), token)

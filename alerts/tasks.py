"""The background tasks (django-tasks). The worker (`manage.py alerts_worker`) runs them; a request never does."""

from django_tasks import task

from . import delivery


@task()
def deliver_webhook(delivery_id: str, token: str) -> str:
    """One signed POST of one delivery (see `alerts.delivery.deliver_webhook`)."""
    return delivery.deliver_webhook(delivery_id, token)


@task()
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

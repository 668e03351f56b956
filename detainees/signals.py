"""Keep each detainee's stored status and modification time current whenever a record of their case changes."""

import contextlib
import contextvars

from django.db import router
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.dispatch import receiver
from django.utils import timezone

from common import integrity

from .models import (
    Charge,
    Counsel,
    CustodyExtension,
    Designation,
    Detainee,
    Detention,
    Sentence,
    SentenceChange,
    Transfer,
)

# Every record of a case, and the path from it to its detainee's id.
CASE_RECORDS = {
    Detention: "detainee_id",
    Designation: "detainee_id",
    Charge: "detention.detainee_id",
    Sentence: "detention.detainee_id",
    Transfer: "detention.detainee_id",
    Counsel: "detention.detainee_id",
    CustodyExtension: "detention.detainee_id",
    SentenceChange: "sentence.detention.detainee_id",
    "exchanges.ExchangeParticipant": "detainee_id",  # by name: detainees does not import exchanges
}


_restoring = contextvars.ContextVar("restoring_dataset", default=False)


@contextlib.contextmanager
def times_as_recorded():
    """A dataset import writes every record's own `updated_at` as the document recorded it: nothing moves them."""
    token = _restoring.set(True)
    try:
        yield
    finally:
        _restoring.reset(token)


def touch_detainees(ids, record=None) -> None:
    """Move the detainees' `updated_at` to now, so `updated_since`, Last-Modified and ETags see a change to any record
    of their case. A queryset update: the changed record keeps its own history row, the person gets none (their
    own fields did not change), and no signal runs again.

    `record`, just saved, a step or more away from its person (a charge: through its detention): its person is
    found by the update itself, from the record's row (`integrity.update_case_of`), which is also the
    published-means-sourced check's answer to where the record belongs (one statement, where there were two)."""
    if _restoring.get():
        return
    ids = {pk for pk in ids if pk is not None}
    now = timezone.now()
    block = integrity.outermost_block()
    if block is not None:  # once per person per write: a charge saved and then cited moved the time once already
        using = router.db_for_write(Detainee)
        integrity.count_rollbacks(using)
        done, rollbacks = block.__dict__.setdefault("detainees_touched", {}), integrity.savepoints_rolled_back(using)
        ids = {pk for pk in ids if done.get(pk) != rollbacks}  # a savepoint rolled back since may have undone it
        done.update(dict.fromkeys(ids, rollbacks))
    via = detainee_of(record, CASE_RECORDS[type(record)]) if record is not None else None
    if via is not None and via in ids:
        found = integrity.update_case_of(record, updated_at=now)
        if found is not None:
            ids.discard(via)
            if block is not None:
                done.update(dict.fromkeys(found, rollbacks))
    if ids:
        Detainee.objects.filter(pk__in=ids).update(updated_at=now)


def detainee_of(instance, path: str):
    value = instance
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


@receiver(post_init, sender=Detention)
@receiver(post_init, sender=Designation)
def remember_detainee(sender, instance, **kwargs):
    # A record moved to another person (a merge) changes the case of both.
    instance._loaded_detainee_id = instance.detainee_id


@receiver(post_save, sender=Detention)
@receiver(post_delete, sender=Detention)
def refresh_detainee_status(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures and dataset imports refresh every detainee once at the end
        return
    ids = {instance.detainee_id, getattr(instance, "_loaded_detainee_id", None)} - {None}
    Detainee.objects.filter(pk__in=ids).refresh_status()


@receiver(post_init, sender="exchanges.ExchangeParticipant")
def remember_participant(sender, instance, **kwargs):
    instance._loaded_detainee_id = instance.detainee_id


@receiver(post_save, sender="exchanges.ExchangeParticipant")
@receiver(post_delete, sender="exchanges.ExchangeParticipant")
def refresh_participant_status(sender, instance, raw=False, **kwargs):
    """A person with no detention on file is exchanged by taking part in a published, completed exchange."""
    if raw:
        return
    ids = {instance.detainee_id, getattr(instance, "_loaded_detainee_id", None)} - {None}
    Detainee.objects.filter(pk__in=ids, latest_detention=None).refresh_status()


@receiver(post_save, sender="exchanges.Exchange")
def refresh_exchanged_status(sender, instance, raw=False, **kwargs):
    """Publishing, unpublishing or completing an exchange changes the status of its people with no custody on file."""
    if raw:
        return
    Detainee.objects.filter(exchange_participations__exchange=instance, latest_detention=None).refresh_status()


def case_record_changed(sender, instance, raw=False, **kwargs):
    """Any save or deletion of a record of a case: the case (its detainee, and a former one) changed."""
    instance._saved_raw = raw  # a fixture or dataset import: its citations that follow keep the times as loaded
    if raw:
        return
    if sender._meta.label == "exchanges.ExchangeParticipant" and not instance.exchange.is_published:
        return  # a draft exchange is in no one's public case: moving the time would reveal it to mirrors
    path = CASE_RECORDS.get(sender) or CASE_RECORDS.get(sender._meta.label)
    saved = "created" in kwargs and "." in path  # a save (not a deletion) of a record through another to its person
    touch_detainees({detainee_of(instance, path), getattr(instance, "_loaded_detainee_id", None)},
                    record=instance if saved else None)  # fmt: skip
    if hasattr(instance, "_loaded_detainee_id"):
        instance._loaded_detainee_id = instance.detainee_id


def citations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Sources added to or removed from a record of a case (or charges to a sentence)."""
    if not action.startswith("post_") or getattr(instance, "_saved_raw", False):
        return
    if not reverse:
        path = CASE_RECORDS.get(type(instance))
        touch_detainees({detainee_of(instance, path)} if path else set())
    elif pk_set and model in CASE_RECORDS:  # from the source's side: source.cited_detentions.add(...)
        for record in model.objects.filter(pk__in=pk_set):
            touch_detainees({detainee_of(record, CASE_RECORDS[model])})


def own_citations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A detainee's own sources changed without a save of the person."""
    if action.startswith("post_") and not getattr(instance, "_saved_raw", False):
        touch_detainees(pk_set or set() if reverse else {instance.pk})


def remember_raw(sender, instance, raw=False, **kwargs):
    instance._saved_raw = raw


post_save.connect(remember_raw, sender=Detainee, dispatch_uid="detainee-saved-raw")
m2m_changed.connect(own_citations_changed, sender=Detainee.sources.through, dispatch_uid="detainee-sources-changed")
for _model in CASE_RECORDS:
    post_save.connect(case_record_changed, sender=_model, dispatch_uid=f"case-record-saved-{_model}")
    post_delete.connect(case_record_changed, sender=_model, dispatch_uid=f"case-record-deleted-{_model}")
    if not isinstance(_model, str):
        for _field in _model._meta.many_to_many:
            m2m_changed.connect(citations_changed, sender=_field.remote_field.through,
                                dispatch_uid=f"case-record-m2m-{_model._meta.label}-{_field.name}")  # fmt: skip

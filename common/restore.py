"""Bring back a deleted record and everything that was deleted with it, as they last were, citations included."""

import datetime

from django.db import transaction

from common.integrity import checked_writes

CASCADE_WINDOW = datetime.timedelta(seconds=5)  # a cascade deletes the children within the same moment


def last_version(model, pk):
    """The record as it last stood before it was deleted (its deletion entry carries no citations)."""
    return model.history.filter(id=pk).exclude(history_type="-").order_by("-history_date", "-history_id").first()


def deleted_with(model, pk, deleted_at) -> list[tuple]:
    """(model, id) of every record with history that the deletion of `model` #pk took with it, parents first."""
    found = []
    for relation in model._meta.related_objects:
        child = relation.related_model
        if not relation.one_to_many or not hasattr(child, "history") or child._meta.auto_created:
            continue
        window = (deleted_at - CASCADE_WINDOW, deleted_at + CASCADE_WINDOW)
        gone = child.history.filter(history_type="-", history_date__range=window, **{relation.field.attname: pk})
        gone = gone.exclude(id__in=child._default_manager.values("pk"))
        for row in gone.order_by("history_date"):
            found.append((child, row.id))
            found.extend(deleted_with(child, row.id, row.history_date))
    return found


@transaction.atomic
def restore_deleted(model, pk, *, reason: str = "Restored") -> list[str]:
    """Restore `model` #pk and every record deleted with it, with the same ids and their citations; returns what
    was restored, in words. Checked like any other write: a published case comes back only if sourced."""
    deletion = model.history.filter(id=pk, history_type="-").order_by("-history_date").first()
    if deletion is None or model._default_manager.filter(pk=pk).exists():
        return []
    records = [(model, pk), *deleted_with(model, pk, deletion.history_date)]
    restored, links = [], []
    with checked_writes():
        for record_model, record_pk in records:
            version = last_version(record_model, record_pk)
            if version is None:
                continue
            obj = version.instance
            obj._state.adding = True
            obj._change_reason = reason
            obj.save(force_insert=True)
            for field in record_model._meta.many_to_many:
                rows = getattr(version, field.name, None)
                if rows is not None:
                    column = f"{field.m2m_reverse_field_name()}_id"
                    links.append((obj, field, [getattr(row, column, None) for row in rows.all()]))
            restored.append(f"{record_model._meta.verbose_name} “{obj}”")
        for obj, field, ids in links:  # after every record is back, so links between them (a sentence's charges) hold
            target = field.related_model._default_manager.filter(pk__in=[i for i in ids if i is not None])
            getattr(obj, field.name).set(target)
    return restored

"""The history (django-simple-history) of records that cite sources, each version's citations in one statement.

simple-history snapshots a record's many-to-many rows with every version of it: it builds the record again from
its history row (a query for the fields the history leaves out, as a person's derived columns), reads the rows
joined with both records they link, and inserts them back (four statements for a person's sources). Here the
snapshot is one `INSERT … SELECT` of the same columns (issue 21 item 5: a PATCH's statements). When something
listens to simple-history's m2m signals, which hand over the rows as objects, simple-history's own way is kept.

`Model.history` (and a version's `.sources`) is simple-history's manager, whose class simple-history builds again on
every access (`Manager.from_queryset`, an `inspect.getmembers` of the queryset class: h52 found it on every history
row written); here the class is built once per descriptor, the manager itself still made per access.

A record the database has just given its id to cites nothing yet (no row can refer to an id that did not exist), so
its first version's snapshot is empty and is not asked for (h52: one statement per record created through the API,
whose citations are added next and recorded, with their own version, as before).
"""

from django.db import connections, router
from django.db.models.signals import pre_save
from simple_history import manager as history_manager
from simple_history import models as history_models
from simple_history import utils
from simple_history.signals import post_create_historical_m2m_records, pre_create_historical_m2m_records


class HistoryDescriptor(history_manager.HistoryDescriptor):
    """simple-history's descriptor, its manager class built at the first access and kept."""

    def __get__(self, instance, owner):
        manager_class = self.__dict__.get("built_manager_class")
        if manager_class is None:
            manager_class = self.built_manager_class = self.manager_class.from_queryset(self.queryset_class)
        return manager_class(self.model, instance)


def _built_once(owner, name: str) -> None:
    descriptor = owner.__dict__.get(name)
    if type(descriptor) is history_manager.HistoryDescriptor:
        setattr(owner, name, HistoryDescriptor(descriptor.model, descriptor.manager_class, descriptor.queryset_class))


def _note_fresh(sender, instance, raw=False, **kwargs):
    """Before a save: whether the database is to give the record its id (a new row no citation can point to yet)."""
    instance._history_fresh = instance.pk is None and not raw


class HistoricalRecords(history_models.HistoricalRecords):
    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if isinstance(descriptor, history_manager.HistoryDescriptor):
            _built_once(sender, self.manager_name)
            for field in self.m2m_models:
                _built_once(descriptor.model, field.name)
            if self.m2m_models:
                pre_save.connect(_note_fresh, sender=sender, dispatch_uid=f"history-fresh-{sender._meta.label_lower}")

    def create_historical_record_m2ms(self, history_instance, instance):
        fields = history_instance._history_m2m_fields
        if any(
            signal.has_listeners(self.m2m_models[field])
            for field in fields
            for signal in (pre_create_historical_m2m_records, post_create_historical_m2m_records)
        ):
            return super().create_historical_record_m2ms(history_instance, instance)
        if history_instance.history_type == "+" and instance.__dict__.pop("_history_fresh", False):
            return  # its id was given by the database a moment ago: no citation of it exists to snapshot
        for field in fields:
            snapshot = self.m2m_models[field]
            through = field.remote_field.through
            names = [f.name for f in through._meta.fields]
            connection = connections[router.db_for_write(snapshot)]
            quote = connection.ops.quote_name
            into = [quote(snapshot._meta.get_field(name).column) for name in names]
            into.append(quote(snapshot._meta.get_field("history").column))
            taken = [quote(through._meta.get_field(name).column) for name in names]
            own = quote(through._meta.get_field(utils.get_m2m_field_name(field)).column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {quote(snapshot._meta.db_table)} ({', '.join(into)}) "
                    f"SELECT {', '.join(taken)}, %s FROM {quote(through._meta.db_table)} WHERE {own} = %s "
                    f"ORDER BY {quote(through._meta.pk.column)}",
                    [history_instance.pk, instance.pk],
                )

"""The history (django-simple-history) of records that cite sources, each version's citations in one statement.

simple-history snapshots a record's many-to-many rows with every version of it: it builds the record again from
its history row (a query for the fields the history leaves out, as a person's derived columns), reads the rows
joined with both records they link, and inserts them back (four statements for a person's sources). Here the
snapshot is one `INSERT … SELECT` of the same columns (issue 21 item 5: a PATCH's statements). When something
listens to simple-history's m2m signals, which hand over the rows as objects, simple-history's own way is kept.
"""

from django.db import connections, router
from simple_history import models as history_models
from simple_history import utils
from simple_history.signals import post_create_historical_m2m_records, pre_create_historical_m2m_records


class HistoricalRecords(history_models.HistoricalRecords):
    def create_historical_record_m2ms(self, history_instance, instance):
        fields = history_instance._history_m2m_fields
        if any(
            signal.has_listeners(self.m2m_models[field])
            for field in fields
            for signal in (pre_create_historical_m2m_records, post_create_historical_m2m_records)
        ):
            return super().create_historical_record_m2ms(history_instance, instance)
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

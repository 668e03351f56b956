"""One detention per holder: split every detention that recorded an extradition into two.

Before: one detention held by the requesting state, with `extradited_from` / `extradited_on` naming the state that
arrested the person and when it handed them over. After: the existing row (same id) becomes the arresting state's
custody, from the arrest to the extradition (end reason `extradited`; its place and circumstances are the arrest's);
a new row is the requesting state's custody, from the extradition to the original end, with the original end
reason. Charges and sentences (the requesting state's case) move to the new row, as do transfers dated on or after
the extradition (or undated); both rows cite the original sources. Nothing is dropped: when the extradition date is
unknown, the first custody ends undated (allowed for a handover) and the second starts on the original arrest date
with its precision, which is what the record said before. Every changed row gets a history version saying why,
and the stored status fields of the people concerned are recomputed. The columns themselves go in 0008.
"""

from django.db import migrations, models
from django.utils import timezone

REASON = "Custody chain: detention split at the extradition (migration 0007)"


def record_history(apps, model_name, obj, when, kind="~"):
    historical = apps.get_model("detainees", f"Historical{model_name}")
    values = {}
    for f in historical._meta.fields:
        if f.name.startswith("history_") or f.primary_key:
            continue
        values[f.attname] = getattr(obj, f.attname, None)
    return historical.objects.create(
        **values, history_date=when, history_type=kind, history_change_reason=REASON, history_user_id=None
    )


def record_m2m_history(apps, version, obj):
    historical = apps.get_model("detainees", "HistoricalDetention_sources")
    for link in obj.sources.through.objects.filter(detention_id=obj.pk):
        historical.objects.create(id=link.pk, history=version, detention_id=obj.pk, source_id=link.source_id)


def split_extraditions(apps, schema_editor):
    Detainee = apps.get_model("detainees", "Detainee")
    Detention = apps.get_model("detainees", "Detention")
    Charge = apps.get_model("detainees", "Charge")
    Sentence = apps.get_model("detainees", "Sentence")
    Transfer = apps.get_model("detainees", "Transfer")
    now = timezone.now()
    people = set()
    for first in Detention.objects.exclude(extradited_from="").order_by("pk"):
        sources = list(first.sources.all())
        known = first.extradited_on is not None
        second = Detention.objects.create(
            detainee_id=first.detainee_id,
            held_by=first.held_by,
            detained_on=first.extradited_on if known else first.detained_on,
            detained_on_precision=first.extradited_on_precision if known else first.detained_on_precision,
            released_on=first.released_on,
            released_on_precision=first.released_on_precision,
            end_reason=first.end_reason,
        )
        second.sources.set(sources)
        first.held_by = first.extradited_from
        first.released_on = first.extradited_on
        first.released_on_precision = first.extradited_on_precision if known else "day"
        first.end_reason = "extradited"
        first.extradited_from = ""
        first.extradited_on = None
        first.extradited_on_precision = "day"
        first.save()
        moved = {
            "Charge": list(Charge.objects.filter(detention=first)),
            "Sentence": list(Sentence.objects.filter(detention=first)),
            "Transfer": list(
                Transfer.objects.filter(detention=first).filter(
                    models.Q(moved_on__gte=second.detained_on) if known else models.Q()
                )
            ),
        }
        for name, rows in moved.items():
            for row in rows:
                row.detention_id = second.pk
                row.save(update_fields=["detention"])
                record_history(apps, name, row, now)
        record_m2m_history(apps, record_history(apps, "Detention", first, now), first)
        record_m2m_history(apps, record_history(apps, "Detention", second, now, kind="+"), second)
        people.add(first.detainee_id)
    for detainee in Detainee.objects.filter(pk__in=people):
        latest = Detention.objects.filter(detainee=detainee).order_by("-detained_on", "-id").first()
        held = not latest.end_reason and latest.released_on is None
        status = {"exchanged": "exchanged", "died_in_custody": "deceased", "extradited": "held", "handed_over": "held"}
        Detainee.objects.filter(pk=detainee.pk).update(
            latest_detention=latest,
            latest_detained_on=latest.detained_on,
            status="held" if held else status.get(latest.end_reason, "released"),
            held_by=latest.held_by if held else "",
        )


def join_extraditions(apps, schema_editor):
    """Backwards: fold each handover and the custody after it into one detention with extradition fields."""
    Detention = apps.get_model("detainees", "Detention")
    for first in Detention.objects.filter(end_reason__in=["extradited", "handed_over"]).order_by("pk"):
        later = Detention.objects.filter(detainee_id=first.detainee_id).exclude(pk=first.pk)
        second = (
            later.filter(detained_on__gte=first.released_on) if first.released_on else later.filter(pk__gt=first.pk)
        ).order_by("detained_on", "id").first()
        if second is None:
            first.end_reason, first.released_on = "released", first.released_on or first.detained_on
            first.save()
            continue
        first.extradited_from, first.held_by = first.held_by, second.held_by
        first.extradited_on, first.extradited_on_precision = first.released_on, first.released_on_precision
        first.released_on, first.released_on_precision = second.released_on, second.released_on_precision
        first.end_reason = second.end_reason
        first.save()
        for name in ("Charge", "Sentence", "Transfer"):
            apps.get_model("detainees", name).objects.filter(detention_id=second.pk).update(detention_id=first.pk)
        first.sources.add(*second.sources.all())
        second.delete()


class Migration(migrations.Migration):
    dependencies = [("detainees", "0006_null_dates_last"), ("sources", "0003_null_dates_last")]

    operations = [
        migrations.RemoveConstraint(model_name="detention", name="detention_end_reason_valid"),
        migrations.AlterField(
            model_name="detention",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("released", "Released"), ("exchanged", "Exchanged"), ("pardoned", "Pardoned"),
                    ("sentence_served", "Sentence served"), ("deported", "Deported"),
                    ("died_in_custody", "Died in custody"), ("escaped", "Escaped"), ("extradited", "Extradited"),
                    ("handed_over", "Handed over"),
                ],  # fmt: skip
                help_text="Why custody ended; empty while held.",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="detention",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    end_reason__in=[
                        "released", "exchanged", "pardoned", "sentence_served", "deported", "died_in_custody",
                        "escaped", "extradited", "handed_over", "",
                    ]  # fmt: skip
                ),
                name="detention_end_reason_valid",
            ),
        ),
        migrations.RunPython(split_extraditions, join_extraditions),
    ]

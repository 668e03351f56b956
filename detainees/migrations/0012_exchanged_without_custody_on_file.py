"""People with no detention on file who took part in a published, completed exchange are "exchanged", as
`status_without_custody()` now says; the stored statuses of existing databases follow (and go back on reversal)."""

from django.db import migrations


def exchanged(apps, schema_editor):
    Detainee = apps.get_model("detainees", "Detainee")
    Participant = apps.get_model("exchanges", "ExchangeParticipant")
    ids = Participant.objects.filter(exchange__is_published=True, exchange__status="completed").values("detainee_id")
    Detainee.objects.filter(latest_detention=None, pk__in=ids).update(status="exchanged")


def unknown(apps, schema_editor):
    Detainee = apps.get_model("detainees", "Detainee")
    Detainee.objects.filter(latest_detention=None, status="exchanged").update(status="unknown")


class Migration(migrations.Migration):
    dependencies = [
        ("detainees", "0011_plain_precision_help_property_charges_iso_currencies"),
        ("exchanges", "0005_plain_precision_help"),
    ]

    operations = [migrations.RunPython(exchanged, unknown)]

"""The complete dataset, drafts included, as one JSON document that imports back without loss.

Format `prisoner-exchange-tracker/dataset`, version 1 (docs/dataset-format.md):

    {"format": "prisoner-exchange-tracker/dataset", "version": 1,
     "records": {"sources.outlet": [{"id": 1, "fields": {...}}, ...], "sources.source": [...], ...}}

Models appear in dependency order; records by id; every field of the model, many-to-many fields as sorted id
lists, the content type of a claim as ["app_label", "model"]. Nothing in the document depends on when it was
written, so exporting, importing into an empty database and exporting again gives the same bytes.
"""

import datetime
import json
from collections.abc import Callable, Iterator

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

DATASET_FORMAT = "prisoner-exchange-tracker/dataset"
DATASET_VERSION = 1
MODELS = [
    "sources.outlet", "sources.source", "sources.official", "detainees.group", "detainees.detainee",
    "detainees.detention", "detainees.charge", "detainees.sentence", "detainees.sentencechange",
    "detainees.transfer", "detainees.designation", "exchanges.exchange", "exchanges.exchangeparticipant",
    "exchanges.exchangecount", "sources.statement", "sources.claim",
]  # fmt: skip


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps only milliseconds of a time; a lossless document keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class DatasetError(Exception):
    """A document that cannot be imported; the message names the record and the field."""


def dataset_models():
    return [apps.get_model(label) for label in MODELS]


def iter_records(model) -> Iterator[dict]:
    """A model's records as {"id", "fields"}, by id."""
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=1000):
        [data] = serializers.serialize("python", [obj], use_natural_foreign_keys=True)
        fields = data["fields"]
        for name in getattr(model, "DERIVED_FIELDS", ()):  # recomputed on import, never carried
            fields.pop(name, None)
        for field in model._meta.many_to_many:
            fields[field.name] = sorted(fields[field.name])
        yield {"id": data["pk"], "fields": fields}


def iter_dataset_json(*, on_record: Callable[[str], None] = lambda label: None) -> Iterator[str]:
    """The document as JSON text, written record by record."""
    yield json.dumps({"format": DATASET_FORMAT, "version": DATASET_VERSION})[:-1] + ', "records": {'
    for m, model in enumerate(dataset_models()):
        label = model._meta.label_lower
        yield ("," if m else "") + f'\n"{label}": ['
        for i, record in enumerate(iter_records(model)):
            yield ("," if i else "") + "\n" + json.dumps(record, cls=ExactEncoder, ensure_ascii=False, sort_keys=True)
            on_record(label)
        yield "]"
    yield "\n}}\n"


def check_header(document) -> dict:
    if not isinstance(document, dict) or document.get("format") != DATASET_FORMAT:
        raise DatasetError(f'Not a dataset document: "format" must be "{DATASET_FORMAT}".')
    if document.get("version") != DATASET_VERSION:
        raise DatasetError(
            f"Unsupported dataset version {document.get('version')!r}; this site reads {DATASET_VERSION}."
        )
    records = document.get("records")
    if not isinstance(records, dict):
        raise DatasetError('"records" must be an object of model label → list of records.')
    unknown = sorted(set(records) - set(MODELS))
    if unknown:
        raise DatasetError(f"Unknown record types: {', '.join(unknown)}.")
    return records


def database_is_empty() -> bool:
    return not any(model._default_manager.exists() for model in dataset_models())


@transaction.atomic
def import_dataset(document, *, on_record: Callable[[str], None] = lambda label: None) -> dict[str, int]:
    """Load a dataset document into an empty database: all of it, or nothing at all."""
    records = check_header(document)
    if not database_is_empty():
        raise DatasetError("The database already holds case records; import into an empty database.")
    counts: dict[str, int] = {}
    for model in dataset_models():
        label = model._meta.label_lower
        rows = records.get(label, [])
        if not isinstance(rows, list):
            raise DatasetError(f"{label}: expected a list of records.")
        for position, row in enumerate(rows):
            where = f"{label} record {position + 1}" + (f" (id {row.get('id')})" if isinstance(row, dict) else "")
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("fields"), dict):
                raise DatasetError(f'{where}: each record needs an "id" and a "fields" object.')
            unknown = sorted(set(row["fields"]) - {f.name for f in model._meta.get_fields()})
            if unknown:
                raise DatasetError(f"{where}: unknown field(s) {', '.join(unknown)}.")
            raw = {"model": label, "pk": row["id"], "fields": row["fields"]}
            try:
                [item] = serializers.deserialize("python", [raw], use_natural_foreign_keys=True)
                item.object.full_clean(validate_unique=False)
                item.save()
            except ValidationError as exc:
                details = "; ".join(f"field {f}: {' '.join(m)}" for f, m in exc.message_dict.items())
                raise DatasetError(f"{where}: {details}") from exc
            except (DeserializationError, ObjectDoesNotExist, ValueError, TypeError) as exc:
                raise DatasetError(f"{where}: {exc}") from exc
            on_record(label)
            counts[label] = counts.get(label, 0) + 1
    reset_sequences()
    apps.get_model("detainees.Detainee").objects.refresh_status()
    start_history()
    return counts


def start_history(chunk: int = 2000) -> None:
    """Raw loads write no history; give every imported record its first version ("Imported")."""
    for model in dataset_models():
        ids = list(model._default_manager.values_list("pk", flat=True))
        for i in range(0, len(ids), chunk):
            objs = list(model._default_manager.filter(pk__in=ids[i : i + chunk]))
            model.history.bulk_history_create(objs, default_change_reason="Imported")


def reset_sequences() -> None:
    """After inserting explicit ids, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), dataset_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)

"""The complete dataset, drafts and history included, as one JSON document that imports back without loss.

Format `prisoner-exchange-tracker/dataset`, version 2 (docs/dataset-format.md):

    {"format": "prisoner-exchange-tracker/dataset", "version": 2,
     "records": {"sources.outlet": [{"id": 1, "fields": {...}}, ...], "sources.source": [...], ...},
     "history": {"sources.historicaloutlet": [{"id": <history id>, "fields": {...}}, ...], ...}}

`feed` (optional, written by every export since issue 23) is the change feed's state, so a restore continues it
rather than starting again at seq 1: `{"changes.change": [...], "changes.published": [...], "changes.release":
[...]}` — every record's last event (its seq, op, time and published document), what the feed last said of each
record, and the releases' metadata (their files stay in DUMP_DIR: copy it too). The log is *compacted*: the events
a record had before its last one are not kept, which changes nothing for a mirror (a reader from any seq still ends
at the same state) and keeps the backup about one dump's size bigger, not the whole history of the feed. After a
restore the next event's seq is above every seq in the document, and the publisher, re-rendering the restored
records, appends nothing for those whose representation is what the feed last said.

Models appear in dependency order; records by id; every field of the model, many-to-many fields as sorted id
lists, the content type of a claim as ["app_label", "model"]. `history` holds every version of every record (the
deleted ones too, so tombstones, reverts and the public corrections survive a restore), with its author as a
username, its reason and its time. Nothing in the document depends on when it was written, so exporting, importing
into an empty database and exporting again gives the same bytes.

`check_restorable()` refuses, before anything is written, to back up a database that `import_dataset` would refuse
to load (a published record with an unsourced fact, left by SQL typed by hand): a backup that cannot be restored
is not a backup. Run it and the export in one `snapshot()`, so both read the same moment of the database.

`import_dataset(document)` loads a document into an empty database, all or nothing. `merge_dataset(document)` adds
to a database that already has records only what it lacks (the demo cases): records are matched by their natural
keys, never overwritten, and new ones get new ids. With `origin` (a shipped document: `demo`, `starter`) it first
finds the records it loaded before by their ids in the document (dataset.models.LoadedRecord), so a record whose
natural key changed between releases is not loaded twice (docs/dataset-format.md).
"""

import contextlib
import datetime
import json
from collections.abc import Callable, Iterator

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from common import integrity
from common.text import exported_key, stored_key

DATASET_FORMAT = "prisoner-exchange-tracker/dataset"
DATASET_VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_DEPTH = 8  # document → records → label → list → record → fields → value → list item
MODELS = [
    "sources.outlet", "sources.source", "sources.official", "detainees.group", "detainees.detainee",
    "detainees.detention", "detainees.charge", "detainees.sentence", "detainees.sentencechange",
    "detainees.transfer", "detainees.custodyextension", "detainees.counsel", "detainees.designation",
    "exchanges.exchange", "exchanges.exchangeparticipant", "exchanges.exchangecount", "sources.statement",
    "sources.claim",
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


def referenced_first(model, rows: list) -> list:
    """The rows of `model` in the document's order, except that a row another row of the same model points at (a
    sentence that a later one combines, `Sentence.combines`) comes before it, so every foreign key names a record
    already loaded. Rows that are not objects, and references to ids the document lacks, are left as they are (the
    checks of each record report them)."""
    own = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
    if not own:
        return rows
    by_id = {row["id"]: row for row in rows if isinstance(row, dict) and isinstance(row.get("fields"), dict)}
    placed: set = set()
    out: list = []
    for row in rows:
        chain = []
        while isinstance(row, dict) and row.get("id") in by_id and row["id"] not in placed:
            placed.add(row["id"])
            chain.append(row)
            targets = [row["fields"].get(name) for name in own]
            row = next((by_id[t] for t in targets if t in by_id and t not in placed), None)
        if not chain and not (isinstance(row, dict) and row.get("id") in placed):
            out.append(row)  # not a well-formed record: kept where it was, for the record checks to name
        out.extend(reversed(chain))
    return out


def iter_records(model) -> Iterator[dict]:
    """A model's records as {"id", "fields"}, by id."""
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=1000):
        [data] = serializers.serialize("python", [obj], use_natural_foreign_keys=True)
        fields = data["fields"]
        for name in getattr(model, "DERIVED_FIELDS", ()):  # recomputed on import, never carried
            fields.pop(name, None)
        if "search_key" in fields:  # without the stored key's leading space, as documents always wrote it
            fields["search_key"] = exported_key(fields["search_key"])
        for field in model._meta.many_to_many:
            fields[field.name] = sorted(fields[field.name])
        yield {"id": data["pk"], "fields": fields}


def history_models():
    """Every history table of the dataset's models: versions first, then their many-to-many snapshots."""
    apps_ = {label.split(".")[0] for label in MODELS}
    found = [m for m in apps.get_models() if m._meta.app_label in apps_ and m._meta.model_name.startswith("historical")]
    return sorted(found, key=lambda m: ("_" in m._meta.model_name, m._meta.label_lower))


def iter_history(model) -> Iterator[dict]:
    """A history table's rows as {"id", "fields"}, the author as a username (ids differ between databases)."""
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=1000):
        [data] = serializers.serialize("python", [obj], use_natural_foreign_keys=True)
        fields = data["fields"]
        if fields.get("history_user") is not None:  # the user's natural key: (username,)
            [fields["history_user"]] = fields["history_user"]
        yield {"id": data["pk"], "fields": fields}


def iter_dataset_json(*, on_record: Callable[[str], None] = lambda label: None) -> Iterator[str]:
    """The document as JSON text, written record by record."""
    yield json.dumps({"format": DATASET_FORMAT, "version": DATASET_VERSION})[:-1] + ', "records": {'
    for section, models, rows in (("records", dataset_models(), iter_records),
                                  ("history", history_models(), iter_history)):  # fmt: skip
        if section == "history":
            yield '}, "history": {'
        for m, model in enumerate(models):
            label = model._meta.label_lower
            yield ("," if m else "") + f'\n"{label}": ['
            for i, record in enumerate(rows(model)):
                yield ("," if i else "") + "\n" + json.dumps(record, cls=ExactEncoder, ensure_ascii=False,
                                                              sort_keys=True)  # fmt: skip
                on_record(label)
            yield "]"
    yield '}, "feed": {'
    for m, (label, rows) in enumerate(iter_feed()):
        yield ("," if m else "") + f'\n"{label}": ['
        for i, record in enumerate(rows):
            yield ("," if i else "") + "\n" + json.dumps(record, cls=ExactEncoder, ensure_ascii=False, sort_keys=True)
            on_record(label)
        yield "]"
    yield "\n}}\n"


FEED_MODELS = ["changes.change", "changes.published", "changes.release"]
FEED_DEPTH = 24  # the published documents nest as the API's representations do


def iter_feed() -> Iterator[tuple[str, Iterator[dict]]]:
    """The change feed's compacted state: each record's last event, the Published rows, the releases."""
    from changes.models import Change, Published, Release

    last = Published.objects.values("seq")
    changes = Change.objects.filter(seq__in=last).order_by("seq")
    yield "changes.change", ({"id": c.seq, "fields": {"resource": c.resource, "object_id": c.object_id, "op": c.op,
                                                      "at": c.at, "document": c.document, "digest": c.digest}}
                             for c in changes.iterator(chunk_size=1000))  # fmt: skip
    fields = ["resource", "object_id", "seq", "op", "at", "previous_at", "digest", "reason"]
    yield (
        "changes.published",
        (
            {"id": row["seq"], "fields": {f: row[f] for f in fields}}
            for row in Published.objects.order_by("seq").values(*fields).iterator(chunk_size=1000)
        ),
    )
    yield "changes.release", (next(iter_records_of(release)) for release in Release.objects.order_by("pk"))


def iter_records_of(obj) -> Iterator[dict]:
    [data] = serializers.serialize("python", [obj])
    yield {"id": data["pk"], "fields": data["fields"]}


def import_feed(feed, *, on_record, counts: dict) -> None:
    """Load the feed's state (see the module's docstring) into a database whose feed is empty."""
    from changes.models import Change, Published, Release

    if not isinstance(feed, dict) or set(feed) - set(FEED_MODELS):
        raise DatasetError(f'"feed" must be an object with the lists {", ".join(FEED_MODELS)}.')
    if Change.objects.exists() or Published.objects.exists() or Release.objects.exists():
        raise DatasetError("The database already has a change feed; import into an empty database.")
    try:
        Change.objects.bulk_create([Change(seq=row["id"], **row["fields"]) for row in feed.get("changes.change", [])],
                                   batch_size=500)  # fmt: skip
        Published.objects.bulk_create([Published(**row["fields"]) for row in feed.get("changes.published", [])],
                                      batch_size=500)  # fmt: skip
        for row in feed.get("changes.release", []):  # oldest first: each one's previous is already there
            [item] = serializers.deserialize("python", [{"model": "changes.release", "pk": row["id"],
                                                         "fields": row["fields"]}])  # fmt: skip
            item.save()
    except (KeyError, TypeError, ValueError, DeserializationError, ObjectDoesNotExist) as exc:
        raise DatasetError(f"feed: {exc!r}") from exc
    for label in FEED_MODELS:
        counts[label] = len(feed.get(label, []))
        for _ in range(counts[label]):
            on_record(label)


def check_header(document) -> dict:
    if not isinstance(document, dict) or document.get("format") != DATASET_FORMAT:
        raise DatasetError(f'Not a dataset document: "format" must be "{DATASET_FORMAT}".')
    if document.get("version") not in READABLE_VERSIONS:
        raise DatasetError(
            f"Unsupported dataset version {document.get('version')!r}; this site reads "
            f"{', '.join(map(str, READABLE_VERSIONS))}."
        )
    depth = nesting_depth({key: value for key, value in document.items() if key != "feed"})
    if depth > MAX_DEPTH:
        raise DatasetError(f"The document is nested {depth} levels deep; the format allows {MAX_DEPTH}.")
    depth = nesting_depth(document.get("feed"), FEED_DEPTH + 1)
    if depth > FEED_DEPTH:
        raise DatasetError(f'"feed" is nested {depth} levels deep; the format allows {FEED_DEPTH}.')
    records = document.get("records")
    if not isinstance(records, dict):
        raise DatasetError('"records" must be an object of model label → list of records.')
    unknown = sorted(set(records) - set(MODELS))
    if unknown:
        raise DatasetError(f"Unknown record types: {', '.join(unknown)}.")
    history = document.get("history", {})
    if not isinstance(history, dict):
        raise DatasetError('"history" must be an object of history table → list of versions.')
    unknown = sorted(set(history) - {m._meta.label_lower for m in history_models()})
    if unknown:
        raise DatasetError(f"Unknown history tables: {', '.join(unknown)}.")
    for label, rows in [*records.items(), *history.items()]:
        if not isinstance(rows, list):
            raise DatasetError(f"{label}: expected a list of records.")
        seen: set = set()
        for row in rows:
            key = row.get("id") if isinstance(row, dict) else None
            if key in seen:
                raise DatasetError(f"{label}: id {key} appears more than once.")
            seen.add(key)
    return records


def nesting_depth(value, limit: int = MAX_DEPTH + 1) -> int:
    """How deeply lists and objects nest, counted without recursion and no further than `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth >= limit:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _waves(model, rows: list) -> list[list]:
    """`rows` (in `referenced_first` order) cut where a row points at a row of the same model in the current part,
    so each part is prepared only after the rows it points at were written (a combined sentence, `combines`)."""
    own = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
    waves: list[list] = [[]]
    current: set = set()
    for row in rows:
        fields = row.get("fields") if isinstance(row, dict) else None
        if own and isinstance(fields, dict) and any(fields.get(name) in current for name in own):
            waves.append([])
            current = set()
        waves[-1].append(row)
        if isinstance(row, dict):
            current.add(row.get("id"))
    return waves


@contextlib.contextmanager
def snapshot():
    """One read-only transaction that sees the whole database as of one moment (REPEATABLE READ on PostgreSQL; a
    SQLite read transaction keeps its snapshot by itself): the check and every table of the document agree, and no
    record written meanwhile can point at one the document lacks."""
    from django.db import connection

    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the transaction's first statement, as PostgreSQL requires
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


UNRESTORABLE = "Published records with unsourced facts: "


def check_restorable() -> None:
    """Raise `DatasetError` listing every published record with an unsourced fact: `import_dataset` refuses such a
    document, so a backup of it could not be restored."""
    problems = integrity.verify(None)
    if problems:
        raise DatasetError(UNRESTORABLE + " ".join(p.message for p in problems))


def database_is_empty() -> bool:
    """No case record, and no version of one: history restored beside an older history would interleave."""
    return not any(model._default_manager.exists() for model in [*dataset_models(), *history_models()])


@transaction.atomic
def import_dataset(document, *, on_record: Callable[[str], None] = lambda label: None) -> dict[str, int]:
    """Load a dataset document into an empty database: all of it, or nothing at all."""
    from detainees.signals import times_as_recorded

    with times_as_recorded():
        return _import_dataset(document, on_record=on_record)


def _import_dataset(document, *, on_record) -> dict[str, int]:
    records = check_header(document)
    if not database_is_empty():
        raise DatasetError("The database already holds case records; import into an empty database.")
    from .models import LoadedRecord

    LoadedRecord.objects.all().delete()  # links to rows of the emptied database would point at the imported ones
    carries_history = bool(document.get("history"))
    counts: dict[str, int] = {}
    for model in dataset_models():
        label = model._meta.label_lower
        rows = records.get(label, [])
        if not isinstance(rows, list):
            raise DatasetError(f"{label}: expected a list of records.")
        for position, row in enumerate(referenced_first(model, rows)):
            where = f"{label} record {position + 1}" + (f" (id {row.get('id')})" if isinstance(row, dict) else "")
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("fields"), dict):
                raise DatasetError(f'{where}: each record needs an "id" and a "fields" object.')
            unknown = sorted(set(row["fields"]) - {f.name for f in model._meta.get_fields()})
            if unknown:
                raise DatasetError(f"{where}: unknown field(s) {', '.join(unknown)}.")
            raw = {"model": label, "pk": row["id"], "fields": row["fields"]}
            if isinstance(row["fields"].get("search_key"), str):  # saved raw: stored as `Model.save()` would
                raw["fields"] = {**row["fields"], "search_key": stored_key(row["fields"]["search_key"])}
            try:
                [item] = serializers.deserialize("python", [raw], use_natural_foreign_keys=True)
                item.object.full_clean(validate_unique=False)
                if carries_history:
                    item.object.skip_history_when_saving = True  # the document's own versions follow
                item.save()
            except ValidationError as exc:
                details = "; ".join(f"field {f}: {' '.join(m)}" for f, m in exc.message_dict.items())
                raise DatasetError(f"{where}: {details}") from exc
            except (DeserializationError, ObjectDoesNotExist, ValueError, TypeError) as exc:
                raise DatasetError(f"{where}: {exc}") from exc
            on_record(label)
            counts[label] = counts.get(label, 0) + 1
    history = document.get("history")
    if history:
        import_history(history, on_record=on_record, counts=counts)
    if document.get("feed") is not None:
        import_feed(document["feed"], on_record=on_record, counts=counts)
    reset_sequences()
    apps.get_model("detainees.Detainee").objects.refresh_status()
    if not history:
        start_history()  # a version 1 document has none: each record starts with an "Imported" version
    check_restorable()
    return counts


def import_history(history: dict, *, on_record, counts: dict) -> None:
    """Every version, with its author (an account is created, inactive and without a password, for an author this
    database does not know), reason and time."""
    user_model = get_user_model()
    authors = {row["fields"].get("history_user") for rows in history.values() for row in rows
               if isinstance(row, dict) and isinstance(row.get("fields"), dict)} - {None}  # fmt: skip
    known = dict(user_model.objects.filter(username__in=authors).values_list("username", "pk"))
    for username in sorted(authors - set(known)):
        user = user_model(username=username, is_active=False)
        user.set_unusable_password()
        user.save()
        known[username] = user.pk
    for model in history_models():
        label = model._meta.label_lower
        for position, row in enumerate(history.get(label, [])):
            where = f"{label} version {position + 1}"
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("fields"), dict):
                raise DatasetError(f'{where}: each version needs an "id" and a "fields" object.')
            fields = dict(row["fields"])
            if "history_user" in fields:
                fields["history_user"] = known.get(fields["history_user"])
            try:
                [item] = serializers.deserialize(
                    "python", [{"model": label, "pk": row["id"], "fields": fields}], use_natural_foreign_keys=True
                )
                item.save()
            except (DeserializationError, ObjectDoesNotExist, ValueError, TypeError) as exc:
                raise DatasetError(f"{where}: {exc}") from exc
            on_record(label)
            counts[label] = counts.get(label, 0) + 1


def start_history(chunk: int = 2000) -> None:
    """Raw loads write no history; give every imported record its first version ("Imported")."""
    for model in dataset_models():
        ids = list(model._default_manager.values_list("pk", flat=True))
        for i in range(0, len(ids), chunk):
            objs = list(model._default_manager.filter(pk__in=ids[i : i + chunk]))
            model.history.bulk_history_create(objs, default_change_reason="Imported")


def analyze() -> None:
    """After a bulk load PostgreSQL's planner still believes the tables are empty (autovacuum catches up minutes
    later) and picks sequential scans; refresh its statistics now. Outside a transaction, VACUUM too: until it
    sets the visibility map, no index-only scan is possible (a filtered list's probe of the stored facet rows read
    the heap, 637 pages for one value at 20,000 cases, instead of the index alone)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def reset_sequences() -> None:
    """After inserting explicit ids, PostgreSQL's sequences must move past them."""
    feed = [apps.get_model(label) for label in FEED_MODELS]
    statements = connection.ops.sequence_reset_sql(no_style(), [*dataset_models(), *history_models(), *feed])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# How a record is recognised in a database that has its own ids (the demo loader); a source by its address when it
# has one, else by its title.
NATURAL_KEYS = {
    "sources.outlet": ["name"], "sources.source": ["url"], "sources.official": ["name"], "detainees.group": ["name"],
    "detainees.detainee": ["name"],
    "detainees.detention": ["detainee", "detained_on"],
    # Reports often give the accusation without its article: two charges of one detention may both lack a statute.
    "detainees.charge": ["detention", "statute", "description"],
    # A sentence may be cut on appeal twice (Calvey's: in 2022, then in cassation in 2024): the date tells them apart.
    "detainees.sentence": ["detention", "sentenced_on"],
    "detainees.sentencechange": ["sentence", "kind", "changed_on"],
    "detainees.transfer": ["detention", "facility_name"], "detainees.designation": ["detainee", "authority", "kind"],
    "detainees.custodyextension": ["detention", "decided_on", "extended_to"],
    "detainees.counsel": ["detention", "name"],
    "exchanges.exchange": ["name"], "exchanges.exchangeparticipant": ["exchange", "detainee"],
    "sources.statement": ["speaker", "said_on"], "sources.claim": ["content_type", "object_id", "field", "value"],
}  # fmt: skip
SKIPPED_ON_MERGE = {"created_at", "updated_at"}


def natural_key(label: str, fields: dict) -> list[str]:
    keys = NATURAL_KEYS.get(label)
    if keys is None:  # a record type added later without a key here: all its own fields must match
        model = apps.get_model(label)
        return [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in SKIPPED_ON_MERGE]
    if label == "sources.source" and not fields.get("url"):
        return ["title"]
    if label == "detainees.sentence" and not fields.get("sentenced_on"):
        return ["detention", "sentenced_on", "term_months", "court"]  # undated: two in one detention stay apart
    return keys


def merge_dataset(document, *, overwrite: bool = False, reason: str = "Demo data",
                  on_record: Callable[[str], None] = lambda label: None,
                  origin: str | None = None) -> dict[str, int]:  # fmt: skip
    """Add to this database what the document has and it lacks, matched by natural keys; never overwrite an
    existing record unless `overwrite` (an explicit reset of the demo). New records get new ids, foreign keys
    follow them, and each gets a first version with `reason`. All or nothing, checked like any other write.

    `origin` names a shipped document ("demo", "starter"): the load then records which of its records (by their ids
    in the document, stable between releases) went into which row (dataset.models.LoadedRecord), and finds a record
    it loaded before by that first, so a record whose natural key changed between releases is the same record. A
    record it never loaded is matched by natural key; failing that, in a database loaded before these links were
    kept, by a row the document's editor entered that shares all of the key but its last field and that no record
    of the document claims (the one whose date a later release corrected)."""
    from .models import LoadedRecord

    records = check_header(document)
    ids: dict[str, dict[int, int]] = {}
    added: dict[str, int] = {}
    with integrity.checked_writes():
        editor = entering_editor(document)
        loaded: dict[tuple[str, int], int] = {}
        if origin is not None:
            rows = LoadedRecord.objects.filter(document=origin).values_list("label", "document_id", "object_id")
            loaded = {(label, doc_id): pk for label, doc_id, pk in rows}
        links = []
        for model in dataset_models():
            label = model._meta.label_lower
            ids[label] = {}
            for rows in _waves(model, referenced_first(model, records.get(label, []))):
                prepared, found = [], []
                for position, row in enumerate(rows):
                    with _naming_the_record(label, position, row):
                        item = _prepare_record(model, row, ids)
                        prepared.append(item)
                        found.append(_find_record(model, item, loaded.get((label, row["id"]))))
                if origin is not None and editor is not None:
                    mapped = {pk for (of, _doc_id), pk in loaded.items() if of == label} | set(ids[label].values())
                    _match_orphans(model, prepared, found, claimed=mapped | {o.pk for o in found if o is not None},
                                   editor=editor)  # fmt: skip
                for position, row in enumerate(rows):
                    with _naming_the_record(label, position, row):
                        if found[position] is None:  # one added just before, under the same key, is this one
                            found[position] = _find_record(model, prepared[position], None)
                        obj, created = _write_record(model, prepared[position], found[position], overwrite=overwrite,
                                                     reason=reason, editor=editor)  # fmt: skip
                    ids[label][row["id"]] = obj.pk
                    if origin is not None and loaded.get((label, row["id"])) != obj.pk:
                        link = LoadedRecord(document=origin, label=label, document_id=row["id"], object_id=obj.pk)
                        links.append(link)
                    if created:
                        added[label] = added.get(label, 0) + 1
                    on_record(label)
        once = ["document", "label", "document_id"]
        LoadedRecord.objects.bulk_create(links, update_conflicts=True, unique_fields=once, update_fields=["object_id"])
    return added


@contextlib.contextmanager
def _naming_the_record(label: str, position: int, row: dict):
    where = f"{label} record {position + 1} (id {row.get('id') if isinstance(row, dict) else None})"
    try:
        yield
    except ValidationError as exc:
        details = "; ".join(f"field {f}: {' '.join(m)}" for f, m in exc.message_dict.items())
        raise DatasetError(f"{where}: {details}") from exc
    except (KeyError, DeserializationError, ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise DatasetError(f"{where}: {exc!r}") from exc


def entering_editor(document: dict):
    """The account the document's records were entered by (its optional "editor", a username): the versions a merge
    writes are signed with it, so a record's history names who entered it. Made, without a way to sign in, when
    this site lacks it; None when the document names none (the versions are then anonymous, as before)."""
    username = document.get("editor")
    if username is None:
        return None
    if not isinstance(username, str) or not username.strip() or len(username) > 150:
        raise DatasetError('"editor" must be a username (at most 150 characters).')
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _prepare_record(model, row: dict, ids: dict) -> dict:
    """The document's record with this database's ids: its fields, many-to-many ids, unsaved object and the lookup
    of its natural key."""
    label = model._meta.label_lower
    fields = {k: v for k, v in row["fields"].items() if k not in SKIPPED_ON_MERGE}
    for field in model._meta.concrete_fields:
        target = field.related_model._meta.label_lower if field.is_relation and field.related_model else None
        if target in ids and fields.get(field.name) is not None:
            fields[field.name] = ids[target][fields[field.name]]
    if label == "sources.claim":
        about = ".".join(fields["content_type"])
        fields["object_id"] = ids[about][fields["object_id"]]
    many = {f.name: f for f in model._meta.many_to_many}
    related = {name: [ids[f.related_model._meta.label_lower][i] for i in fields.pop(name, [])]
               for name, f in many.items()}  # fmt: skip
    [item] = serializers.deserialize("python", [{"model": label, "pk": None, "fields": fields}],
                                     use_natural_foreign_keys=True)  # fmt: skip
    incoming = item.object
    key = natural_key(label, fields)
    lookup = {name: getattr(incoming, model._meta.get_field(name).attname) for name in key}
    return {"fields": fields, "related": related, "incoming": incoming, "lookup": lookup, "key": key}


def _find_record(model, item: dict, loaded_pk: int | None):
    """The row this record is: the one an earlier load of the same document put it in, else the one with its
    natural key, else one whose history had that key (renamed or edited since). None when it is new here."""
    if loaded_pk is not None:
        existing = model._default_manager.filter(pk=loaded_pk).first()
        if existing is not None:
            return existing
    lookup = item["lookup"]
    existing = model._default_manager.filter(**lookup).order_by("pk").first()
    if existing is None and hasattr(model, "history"):  # renamed or edited since: its history had this key
        earlier = model.history.filter(**lookup).values_list("id", flat=True)
        existing = model._default_manager.filter(pk__in=list(earlier)).order_by("pk").first()
    return existing


def _match_orphans(model, prepared: list[dict], found: list, *, claimed: set, editor) -> None:
    """For a database loaded before the links were kept: a record still unmatched takes the one row that shares its
    natural key but the last field (the same person's custody, the start date corrected in a later release), that
    the document's editor entered, and that no record of this document claims. Only where it is one record for one
    row; never for a key of one field (a source's address, a person's name)."""
    if not hasattr(model, "history"):
        return
    waiting: dict[tuple, list[int]] = {}
    for position, item in enumerate(prepared):
        if found[position] is None and len(item["key"]) > 1:
            prefix = tuple((name, item["lookup"][name]) for name in item["key"][:-1])
            waiting.setdefault(prefix, []).append(position)
    for prefix, positions in waiting.items():
        if len(positions) != 1:
            continue
        rows = list(model._default_manager.filter(**dict(prefix)).exclude(pk__in=claimed).values_list("pk", flat=True))
        entered = [pk for pk in rows if model.history.filter(id=pk, history_type="+", history_user=editor).exists()]
        if len(entered) == 1:
            found[positions[0]] = model._default_manager.get(pk=entered[0])
            claimed.add(entered[0])


def _write_record(model, item: dict, existing, *, overwrite: bool, reason: str, editor=None):
    fields, related, incoming = item["fields"], item["related"], item["incoming"]
    if existing is not None and not overwrite:
        return existing, False
    if existing is not None:
        for name in fields:
            if name != "slug":
                attname = model._meta.get_field(name).attname
                setattr(existing, attname, getattr(incoming, attname))
        obj = existing
    else:
        obj = incoming
        if getattr(obj, "slug", None) and model._default_manager.filter(slug=obj.slug).exists():
            obj.slug = ""  # taken by another record here: the model makes a fresh one
    obj.full_clean(validate_unique=False, exclude=list(related))
    obj._change_reason = reason
    if editor is not None:
        obj._history_user = editor  # simple_history signs this version, and those of the links set below, with it
    obj.save()
    for name, values in related.items():
        getattr(obj, name).set(values)
    return obj, existing is None

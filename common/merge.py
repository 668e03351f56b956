"""Three-way merge of a record: what an editor saves is compared field by field with the version they loaded.

Two editors load version A of a record. The first saves B. When the second saves, each field is one of:

- changed by neither, or the same way by both: nothing to decide;
- changed only by the other editor: their value is kept (the second editor's stale copy of it is not written back);
- changed only by this editor: this editor's value is saved;
- changed by both, differently: a conflict, shown side by side (theirs, yours, the original) with a choice per field.

`merge()` is the rule on plain dicts; `merge_record()` applies it to a model instance (the base recovered from
django-simple-history by the version the editor loaded). The admin's change forms and inline rows, the one-screen
case editor and the API's `If-Match` all call these; none decides on its own.
"""

import dataclasses
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

MISSING = object()  # a field absent from one side (an API write that does not send it)

CHOICES = {"theirs": _("Keep theirs"), "yours": _("Keep mine"), "original": _("Restore the original")}


def merge(base: dict, theirs: dict, yours: dict) -> tuple[dict, list[str]]:
    """The merged record and the names of the fields in conflict (changed by both, differently).

    `theirs` is the record as stored now, `yours` what this editor sends (only the fields sent), `base` the version
    they loaded. A conflicting field keeps the value of `yours` in the merged dict; the caller decides.
    """
    merged = dict(theirs)
    conflicts = []
    for name, mine in yours.items():
        stored = theirs.get(name, MISSING)
        original = base.get(name, MISSING)
        if _same(mine, stored) or _same(mine, original):
            continue  # nothing to save, or only they changed it: theirs stays
        merged[name] = mine
        if not _same(stored, original):  # both changed it, differently (or the original is unknown)
            conflicts.append(name)
    return merged, conflicts


def _same(a, b) -> bool:
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, list | tuple | set) and isinstance(b, list | tuple | set):
        return sorted(map(str, a)) == sorted(map(str, b))
    return _plain(a) == _plain(b)


def _plain(value):
    """Values as they compare: a country as its code, a date as itself, a string as itself."""
    code = getattr(value, "code", MISSING)
    if code is not MISSING and not isinstance(value, str | datetime.date):
        return code
    return value


@dataclasses.dataclass
class Conflict:
    """One field both editors changed: what the editor is shown and chooses from."""

    record: str
    field: str
    label: str
    theirs: object
    yours: object
    original: object
    choice_name: str  # the radio buttons' name in the form ("merge-place", "detentions-0-merge-place")
    chosen: str = ""


def loaded_at(loaded: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(loaded) if loaded else None
    except ValueError:
        return None


def base_version(instance, loaded: str):
    """The historical record of `instance` as it was at the version the editor loaded (its `updated_at`): the last
    version saved at or before it (a change inside a case moves the case's `updated_at` without a new version of
    its fields). None when the history does not have it (no history, or older than the history kept)."""
    history = getattr(type(instance), "history", None)
    when = loaded_at(loaded)
    if history is None or when is None or instance.pk is None:
        return None
    # The first row of that version: rows recorded later with the same `updated_at` are citations changed since
    # (a many-to-many change records the in-memory version); taking the first makes such a change a conflict to
    # resolve rather than a citation silently dropped. The form's own record of what it showed comes first anyway.
    return history.filter(id=instance.pk, updated_at__lte=when).order_by("-updated_at", "history_id").first()


def field_values(obj, names: list[str], *, historical: bool = False) -> dict:
    """{name: value} of a record (or a historical record): attnames for foreign keys, sorted ids for many-to-many."""
    values = {}
    opts = obj._meta if not historical else obj.instance_type._meta
    for name in names:
        field = opts.get_field(name)
        if field.many_to_many:
            if obj.pk is None:
                values[name] = []
            elif historical:
                rows = getattr(obj, name, None)
                if rows is None:
                    continue  # not tracked in history: unknown
                target = field.related_model._meta.model_name
                values[name] = sorted(getattr(r, f"{target}_id") for r in rows.all())
            else:
                values[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        else:
            values[name] = getattr(obj, field.attname)
    return values


def mergeable_fields(model, names) -> list[str]:
    """The fields of `model` among `names` that an editor writes (with each partial date's precision)."""
    out = []
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or not field.concrete and not field.many_to_many:
            continue
        if isinstance(field, models.AutoField) or field.name in ("created_at", "updated_at"):
            continue
        if field.name in names or field.name.removesuffix("_precision") in names:
            out.append(field.name)
    return out


def merge_record(yours_instance, stored, base, names: list[str], yours_m2m: dict | None = None,
                 shown_m2m: dict | None = None):
    """Three-way merge of one record. `yours_instance` holds the editor's values, `stored` the record as it is now,
    `base` its historical version at load; `shown_m2m` the ids a many-to-many field showed when the form was loaded
    (exact where the history is not: a citation added later is recorded with the version it was added to).
    Returns (merged values, conflicts, theirs, original, yours)."""
    scalar = [n for n in names if not stored._meta.get_field(n).many_to_many]
    m2m = [n for n in names if n not in scalar and (yours_m2m or {}).get(n, MISSING) is not MISSING]
    theirs = field_values(stored, scalar + m2m)
    original = field_values(base, scalar + m2m, historical=True) if base is not None else {}
    for name, ids in (shown_m2m or {}).items():
        if name in m2m:
            original[name] = sorted(int(pk) for pk in ids if str(pk).isdigit())
    yours = field_values(yours_instance, scalar)
    for name in m2m:
        yours[name] = sorted(yours_m2m[name])
    merged, conflicts = merge(original, theirs, yours)
    return merged, conflicts, theirs, original, yours


def display(model, name: str, value) -> str:
    """A value as an editor reads it in the side-by-side table."""
    if value is MISSING:
        return str(_("(not known)"))
    field = model._meta.get_field(name)
    if field.many_to_many:
        objs = field.related_model._default_manager.in_bulk(value or [])
        return "; ".join(str(objs.get(pk, pk)) for pk in value) or "—"
    if field.is_relation and value is not None:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list | tuple):
        return ", ".join(str(getattr(v, "name", v)) for v in value) or "—"
    if value in (None, ""):
        return "—"
    return str(value)


# --- the API: the version an ETag named -----------------------------------------------------------------------------
# An ETag names a representation, not a row of the history, so the representation each editor was given is kept a
# while (the shared cache; only for signed-in clients, who may write) under the ETag the response carried. A PATCH
# with a stale If-Match is merged against it; when it is gone (expired, evicted), the write is refused as before.

REMEMBER_SECONDS = 7 * 24 * 3600


def _version_key(label: str, pk, etag: str) -> str:
    return f"loaded-representation:{label}:{pk}:{etag.strip().removeprefix('W/')}"


def remember_representation(label: str, pk, etag: str, data) -> None:
    """Keep the representation served with `etag`, so a later write that names it can be merged."""
    from django.core.cache import cache

    if etag and pk is not None and isinstance(data, dict):
        cache.set(_version_key(label, pk, etag), data, REMEMBER_SECONDS)


def recall_representation(label: str, pk, etag: str) -> dict | None:
    from django.core.cache import cache

    return cache.get(_version_key(label, pk, etag))


def api_merge(base: dict, current: dict, sent: dict) -> tuple[list[str], list[str]]:
    """For a write sent against representation `base` while the record is now `current`: the fields in conflict
    (changed since, and sent with another value), and the fields sent unchanged from `base` that someone else has
    changed since (the write must leave those as they are now)."""
    yours = {name: value for name, value in sent.items() if name in current}
    _, conflicts = merge(base, current, yours)
    stale = [n for n, v in yours.items() if n not in conflicts and _same(v, base.get(n, MISSING))
             and not _same(v, current[n])]  # fmt: skip
    return conflicts, stale

"""Review: a second pair of eyes on what goes public. One rule, on every path that writes.

With `settings.REVIEW_REQUIRED` on (the default in production):

- **Publishing waits for a second editor.** Any save by an account (the admin, the one-screen editor, intake, the
  API with a token, an import) that would make a case public leaves it unpublished and `awaiting_review` instead;
  `is_published` keeps its meaning (public or not), so a case awaiting review is as invisible as any draft. The
  check is a `pre_save` on each registered case model (`register`), so no path can step around it.
- **Changes to published cases are queued.** When a write's checked block (`common.integrity.checked_writes`, which
  already notes every record each write touches, for "published means sourced") ends, every case it touched that is
  public gets an open `ReviewItem` of kind "change" (one per case, gathering later changes), with the account that
  made the change among its `editors`. The desk lists the queue; each item shows its field-by-field diff from the
  history (django-simple-history) with the sources, until a second editor marks it checked or reverts it.
- **Nobody approves their own work.** `approve`, `check`, `revert` need the `common.review_cases` permission (the
  "Reviewers" group). Checking is per author (`ReviewItem.checks`): an editor who made some of the changes in the item
  checks the OTHER authors' changes, and the item closes once every author's changes were checked by someone other
  than that author (on a two-editor project A checks B's part and B checks A's). An editor whose own changes are all
  that is left to check is refused, and so is their revert; a third editor checks every part at once.
- The case records `last_checked_on`: the date a second editor last approved or checked it (never who).
- **Deleting a published case is queued, not held**: it leaves the public at once, as unpublishing does (taking
  something out of public view never waits), and its item stays open as a change to check; reverting it restores the
  case whole (`common.restore`), public again.

Writes made by no account (commands run by the operator on the server: loading the demo, restoring a backup) are not
queued and publish directly. With `REVIEW_REQUIRED` off (a one-person project) a publish takes effect at once and no
change is queued; items already open can still be approved or checked.
"""

from __future__ import annotations

import contextvars
import datetime
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.signals import post_delete, pre_save
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from common import integrity
from common.sql import rows_for_ids

PERMISSION = "common.review_cases"
CASES: dict[str, type] = {}  # case label → model
# Fields of a case that are the review's own bookkeeping, not its content: left out of the diff.
BOOKKEEPING = {"awaiting_review", "last_checked_on", "created_at", "updated_at", "search_key", "name_ru_sort"}

_acting: contextvars.ContextVar[object | None] = contextvars.ContextVar("review_acting_user", default=None)
_approving: contextvars.ContextVar[frozenset] = contextvars.ContextVar("review_approving", default=frozenset())


def required() -> bool:
    return bool(getattr(settings, "REVIEW_REQUIRED", False))


def register(model) -> None:
    """`model` (a case registered with `common.integrity`) is published only after a second editor approves.

    Register it before `integrity.register_case`: this module's `pre_save` receiver then runs first and takes the
    case's lock with its read of `is_published` (one statement); the other way round it costs one more."""
    CASES[model._meta.label_lower] = model
    pre_save.connect(_saving, sender=model, dispatch_uid=f"review-{model._meta.label_lower}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"review-deleted-{model._meta.label_lower}")


def _deleted(sender, instance, **kwargs):
    """A case deleted inside a checked write is noted like a case saved, so the queue hears of it (`_after_check`):
    a published case's deletion is a change to check."""
    integrity._note(sender._meta.label_lower, [instance.pk])


def connect() -> None:
    if _after_check not in integrity.AFTER_CHECK:
        integrity.AFTER_CHECK.append(_after_check)


@contextmanager
def acting_as(user):
    """Writes inside the block are `user`'s (a service or a test acting for an account outside a request)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_user():
    """The account making the current write: the one `acting_as` names, else the request's signed-in user (the
    API's token user too: DRF sets it on the request it wraps), else None (a command on the server)."""
    user = _acting.get()
    if user is None:
        from simple_history.models import HistoricalRecords

        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _key(instance) -> tuple[str, int]:
    return (instance._meta.label_lower, instance.pk)


def _saving(sender, instance, raw=False, **kwargs):
    """The rule: a save that would make a case public, made by an account, without a second editor's approval,
    leaves it unpublished and awaiting review."""
    if raw:
        return
    if not required():  # publish at once; nothing awaits a public case (and no query is spent finding out)
        if instance.is_published:
            instance.awaiting_review = False
        return
    # Read under the case's lock, taken here with the read in one statement (`integrity.lock_and_read`): this
    # receiver is connected before the integrity's, whose lock then finds the case held and sends nothing.
    was_public = integrity.lock_and_read(instance, "is_published") if instance.pk else False
    if was_public is integrity.NOT_READ:
        was_public = sender._base_manager.filter(pk=instance.pk).values_list("is_published", flat=True).first()
    was_public = bool(was_public)
    if instance.is_published and not was_public:
        if acting_user() is not None and _key(instance) not in _approving.get():
            instance.is_published = False
            instance.awaiting_review = True
        else:
            instance.awaiting_review = False
    elif instance.is_published or was_public:  # stays public, or goes back to draft: nothing awaits
        instance.awaiting_review = False


def _settle(key: tuple[str, int]) -> None:
    """This write is a review decision about the case: it enters no queue itself."""
    block = integrity.outermost_block()
    if block is not None:
        block.__dict__.setdefault("review_settled", set()).add(key)


def _after_check(block, cases: dict) -> None:
    """At the end of every checked write: queue what an account changed in cases that are public or awaiting."""
    if not required():  # no queue at all: not one query more per write
        return
    from common.models import ReviewItem

    settled = block.__dict__.get("review_settled", set())
    user = acting_user()
    for label, ids in cases.items():
        if label not in CASES or not isinstance(ids, set) or not ids:
            continue
        model = CASES[label]
        content_type = ContentType.objects.get_for_model(model)
        rows, open_items = _states_and_items(model, content_type, ids, user)
        for pk in sorted(ids):
            if (label, pk) in settled:
                continue
            item = open_items.get(pk)
            if pk not in rows:  # the case was deleted
                gone = model.history.filter(id=pk, history_type="-").order_by("-history_date", "-history_id").first()
                was_public = gone is not None and gone.is_published
                if user is not None and (was_public or (item is not None and item.kind == ReviewItem.Kind.CHANGE)):
                    # A published case deleted leaves the public at once, as an unpublish does (taking something
                    # out of public view never waits), and is queued like any change to it: a second editor marks
                    # the deletion checked or reverts it (the case comes back whole, as Deleted records restores it).
                    if item is None:
                        item = ReviewItem.objects.create(
                            content_type=content_type, object_id=pk, kind=ReviewItem.Kind.CHANGE,
                            since=block.started_at)  # fmt: skip
                    elif item.kind != ReviewItem.Kind.CHANGE:
                        item.kind = ReviewItem.Kind.CHANGE
                        item.save(update_fields=["kind"])
                    _add_author(item, user)
                elif item is not None:  # a draft or a publication request deleted: nothing left to check
                    item.close(ReviewItem.Outcome.WITHDRAWN, user)
                continue
            public, awaiting = rows[pk]
            if awaiting:
                kind = ReviewItem.Kind.PUBLISH
            elif public or (item is not None and item.kind == ReviewItem.Kind.CHANGE):
                kind = ReviewItem.Kind.CHANGE  # a case taken back to draft stays to check: the public saw it go
            else:
                if item is not None:  # a draft again: the publication asked for was withdrawn
                    item.close(ReviewItem.Outcome.WITHDRAWN, user)
                continue
            if user is None:
                continue
            if item is None:
                item = ReviewItem.objects.create(content_type=content_type, object_id=pk, kind=kind,
                                                 since=block.started_at)  # fmt: skip
            elif item.kind != kind:
                item.kind = kind
                item.save(update_fields=["kind"])
            _add_author(item, user)


def _states_query(model, ids, content_type_id, user_id=None):
    """The cases' rows, each with its open item's id, kind and checks (at most one open item per case:
    `reviewitem_one_open_per_case`) and, given an author, whether they are one of its editors already."""
    from common.models import ReviewItem

    open_item = ReviewItem.objects.filter(content_type_id=content_type_id, object_id=OuterRef("pk"), outcome="")
    columns = {f"item_{name}": Subquery(open_item.values(name)[:1]) for name in ("id", "kind", "checks")}
    if user_id is not None:
        columns["by_author"] = Exists(ReviewItem.editors.through.objects.filter(
            reviewitem__content_type_id=content_type_id, reviewitem__object_id=OuterRef("pk"),
            reviewitem__outcome="", user_id=user_id))  # fmt: skip
    return (model._base_manager.filter(pk__in=ids).annotate(**columns)
            .values_list("pk", "is_published", "awaiting_review", *columns))  # fmt: skip


def _states_and_items(model, content_type, ids: set[int], user) -> tuple[dict, dict]:
    """The cases' state after the write (pk → (is_published, awaiting_review); a deleted case is absent) and their
    open items (pk → ReviewItem, `by_author` set when `user` is one of its editors already), in one statement built
    once (`common.sql.rows_for_ids`). Were two ORM queries (the items, then the states): h52, issue 21 item 5. An
    item's `since` is left deferred: the queue's bookkeeping here never reads it."""
    from common.models import ReviewItem

    using = router.db_for_read(model)
    connection = connections[using]
    values = [content_type.pk] if user is None else [content_type.pk, user.pk]
    found = rows_for_ids(connection, ("review-states", model._meta.label_lower, len(values)),
                         lambda ids, *values: _states_query(model, ids, *values), ids, values)  # fmt: skip
    checks_field = ReviewItem._meta.get_field("checks")
    rows, items = {}, {}
    for pk, public, awaiting, item_id, kind, checks, *by_author in found:
        rows[pk] = (bool(public), bool(awaiting))
        if item_id is None:
            continue
        known = {"id": item_id, "content_type_id": content_type.pk, "object_id": pk, "kind": kind,
                 "checks": checks_field.from_db_value(checks, None, connection), "outcome": "", "closed_at": None,
                 "closed_by_id": None}  # fmt: skip
        item = ReviewItem.from_db(using, list(known), list(known.values()))
        if by_author:
            item.by_author = bool(by_author[0])
        items[pk] = item
    if len(rows) < len(ids):  # a case deleted: its open item is read on its own
        for item in ReviewItem.objects.filter(content_type=content_type, object_id__in=ids - rows.keys(), outcome=""):
            items[item.object_id] = item  # its editors are added again if need be (`add` ignores one already there)
    return rows, items


def _add_author(item, user) -> None:
    """`user` changed the item's case (again): their changes are to check, even if someone checked an earlier part."""
    if not getattr(item, "by_author", False):  # known one of its editors when read (`_after_check`): no INSERT
        item.editors.add(user)
    if str(user.pk) in (item.checks or {}):
        item.checks.pop(str(user.pk))
        item.save(update_fields=["checks"])


def queued_for(case, user) -> bool:
    """Whether `user`'s changes to the public `case` are (or, once the request's block ends, will be) in "To check":
    review is on and the case has an open item of theirs, or the write now open touched it (h24: the one-screen
    editor says so)."""
    if not required() or user is None:
        return False
    from common.models import ReviewItem

    block = integrity.outermost_block()
    if block is not None and block.touched:
        touched = integrity.cases_touched(block.touched).get(case._meta.label_lower)
        if isinstance(touched, set) and case.pk in touched:
            return True
    content_type = ContentType.objects.get_for_model(type(case))
    return ReviewItem.objects.filter(content_type=content_type, object_id=case.pk, outcome="", editors=user).exists()


# ---- decisions ---------------------------------------------------------------------------------------------------


def refusal(user, item) -> str:
    """Why `user` may not approve, check or revert `item` ("" when they may)."""
    if item.outcome:
        return str(_("This item was already closed (%(outcome)s).") % {"outcome": item.get_outcome_display()})
    if user is None or not user.is_active or not user.has_perm(PERMISSION):
        return str(_("Only reviewers (the Reviewers group) may approve or check the work of other editors."))
    if not others_to_check(item, user) and item.editors.filter(pk=user.pk).exists():
        return str(ONLY_YOURS_LEFT)
    return ""


ONLY_YOURS_LEFT = _("Only your own changes are left to check in this item: a second editor must check them, not you.")


def others_to_check(item, user) -> list:
    """The authors whose changes in `item` are still to check and whom `user` may check: everyone but `user`. With
    two editors who both changed a case, each checks the other's part (h24): nobody checks their own change."""
    return [u for u in item.unchecked_authors() if user is None or u.pk != user.pk]


def _locked_item(item, user):
    from common.models import ReviewItem

    case_model = item.content_type.model_class()
    integrity.lock_cases({case_model._meta.label_lower: {item.object_id}})
    fresh = ReviewItem.objects.select_for_update().get(pk=item.pk)
    why = refusal(user, fresh)
    if why:
        raise PermissionDenied(why)
    case = case_model._base_manager.filter(pk=item.object_id).first()
    _settle((case_model._meta.label_lower, item.object_id))
    return fresh, case  # case is None: a deletion to check (or revert)


@contextmanager
def _approved(case):
    token = _approving.set(_approving.get() | {_key(case)})
    try:
        yield
    finally:
        _approving.reset(token)


def approve(item, user):
    """A second editor's yes: a publication goes public (refused, as any publish, while a fact is unsourced); changes
    are marked checked. Either way the case is marked checked today."""
    from common.models import ReviewItem

    with acting_as(user), integrity.checked_writes():
        item, case = _locked_item(item, user)
        if _check_part(item, user):  # the user's own changes are left: someone else checks them
            return case
        if case is None:  # a deleted case: the deletion is checked (a publication asked for is moot)
            if item.kind == ReviewItem.Kind.PUBLISH:
                item.close(ReviewItem.Outcome.WITHDRAWN, user)
                raise ValidationError(_("The case was deleted meanwhile."))
            item.close(ReviewItem.Outcome.CHECKED, user)
            return None
        case.last_checked_on = timezone.localdate()
        if item.kind == ReviewItem.Kind.PUBLISH:
            if not case.awaiting_review:
                raise ValidationError(_("This case no longer awaits publication."))
            case.is_published = True
            case._change_reason = "Published"
            with _approved(case):
                case.save()
            item.close(ReviewItem.Outcome.APPROVED, user)
        else:
            case._change_reason = "Review: checked"
            case.save()
            item.close(ReviewItem.Outcome.CHECKED, user)
    return case


def _check_part(item, user) -> bool:
    """Record that `user` checked every other author's changes in `item`. True when the item stays open: `user`'s own
    changes are still to check, by someone other than `user`."""
    checks = dict(item.checks or {})
    for author in others_to_check(item, user):
        checks[str(author.pk)] = user.pk
    item.checks = checks
    item.save(update_fields=["checks"])
    return any(u.pk == user.pk for u in item.unchecked_authors())


def send_back(item, user):
    """A publication not approved: the case goes back to draft. A reviewer, or the editor who asked, may do it."""
    from common.models import ReviewItem

    with acting_as(user), integrity.checked_writes():
        fresh = ReviewItem.objects.select_for_update().get(pk=item.pk)
        mine = fresh.editors.filter(pk=user.pk).exists()
        if fresh.outcome or fresh.kind != ReviewItem.Kind.PUBLISH or not (mine or user.has_perm(PERMISSION)):
            raise PermissionDenied(refusal(user, fresh) or _("Only a publication awaiting review can be sent back."))
        case = fresh.case
        if case is not None:
            _settle(_key(case))
            case.awaiting_review = False
            case._change_reason = "Review: sent back to draft"
            case.save()
        fresh.close(ReviewItem.Outcome.SENT_BACK, user)


def revert(item, user, *, reason: str = "Review: reverted") -> list[str]:
    """A second editor's no to changes of a published case: every record of the case is put back as it was before
    the first unchecked change (records added since are deleted, records deleted since come back). Checked like any
    write: refused whole if it would leave the published case with an unsourced fact. Returns what it did, in words."""
    from common.models import ReviewItem

    done: list[str] = []
    with acting_as(user), integrity.checked_writes():
        item, case = _locked_item(item, user)
        if item.kind != ReviewItem.Kind.CHANGE:
            raise ValidationError(_("A publication awaiting review is sent back, not reverted."))
        # Going back to what a second editor last checked is itself a second editor's decision: a case taken back to
        # draft (or deleted) meanwhile is public again at once, not left awaiting review with no request open (the
        # state machine found that limbo).
        model = item.content_type.model_class()
        with _approved(case if case is not None else model(pk=item.object_id)):
            if case is None:
                from common.restore import restore_deleted

                done = [str(_("restored %(what)s") % {"what": what}) for what in
                        restore_deleted(model, item.object_id, reason=reason)]  # fmt: skip
            else:
                done = _revert_records(item, case, reason)
        item.close(ReviewItem.Outcome.REVERTED, user)
    return done


def _revert_records(item, case, reason: str) -> list[str]:
    done: list[str] = []
    label = case._meta.label_lower
    deletions, links = [], []
    for record_model, path in _record_models(label):
        for _rid, before, current in _changed(record_model, path, item.object_id, item.since):
            if before is None:
                if current is not None:
                    deletions.append(current)
                continue
            obj = current if current is not None else before.instance
            if current is not None:
                for name in _tracked(record_model):
                    setattr(obj, name, getattr(before, name))
            else:
                obj._state.adding = True
            obj._change_reason = reason
            _settle(_key(case))
            obj.save(force_insert=current is None)
            done.append(str(_("restored %(what)s “%(name)s”") % {"what": record_model._meta.verbose_name,
                                                                 "name": obj}))  # fmt: skip
            for field in record_model._meta.many_to_many:
                rows = getattr(before, field.name, None)
                if rows is not None:
                    column = f"{field.m2m_reverse_field_name()}_id"
                    links.append((obj, field, [getattr(row, column, None) for row in rows.all()]))
    for obj, field, ids in links:
        target = field.related_model._default_manager.filter(pk__in=[i for i in ids if i is not None])
        getattr(obj, field.name).set(target)
    for obj in reversed(deletions):  # records of the case first, then (never) the case itself
        if type(obj)._default_manager.filter(pk=obj.pk).exists():
            obj._change_reason = reason
            done.append(str(_("deleted %(what)s “%(name)s”") % {"what": obj._meta.verbose_name, "name": obj}))
            obj.delete()
    return done


# ---- what changed ------------------------------------------------------------------------------------------------


def _record_models(case_label: str) -> list[tuple[type, str]]:
    """(model, path to the case) of the case itself and of every kind of record in it that keeps history."""
    from django.apps import apps

    found = []
    for label, (owner, path) in integrity.PATHS.items():
        model = apps.get_model(label)
        if owner == case_label and hasattr(model, "history"):
            found.append((model, path))
    return sorted(found, key=lambda pair: pair[1].count("__") + bool(pair[1]))  # the case, then outwards


def _tracked(model) -> list[str]:
    historical = {f.attname for f in model.history.model._meta.concrete_fields}
    skip = ("created_at", "updated_at")
    return [f.attname for f in model._meta.concrete_fields
            if f.attname in historical and not f.primary_key and f.name not in skip]  # fmt: skip


def _changed(model, path: str, case_id: int, since):
    """(id, version before `since` or None, the record now or None) of every record of the case changed since."""
    history = model.history.model._default_manager
    rows = history.filter(id=case_id) if not path else history.filter(**{path: case_id})
    ids = sorted(set(rows.filter(history_date__gte=since).values_list("id", flat=True)))
    for rid in ids:
        before = history.filter(id=rid, history_date__lt=since).order_by("-history_date", "-history_id").first()
        if before is not None and before.history_type == "-":
            before = None
        yield rid, before, model._base_manager.filter(pk=rid).first()


def diff(item) -> list[dict]:
    """What changed in the item's case since it was last checked (for a publication: all of it), record by record:
    what each record is, how it changed ("added", "changed", "deleted"), its fields (name, before, after), the
    reasons given and the sources it cites now."""
    from common.models import ReviewItem

    case_model = item.content_type.model_class()
    # A publication is checked whole: every record of the case, as added; changes since the last check otherwise.
    since = item.since if item.kind == ReviewItem.Kind.CHANGE else datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    entries = []
    for model, path in _record_models(case_model._meta.label_lower):
        history = model.history.model._default_manager
        for rid, before, _current in _changed(model, path, item.object_id, since):
            latest = history.filter(id=rid).order_by("-history_date", "-history_id").first()
            if latest is None:
                continue
            if latest.history_type == "-":
                state, after = "deleted", None
            else:
                state, after = ("added" if before is None else "changed"), latest
            fields = []
            names = {f.name for f in model._meta.concrete_fields}
            for field in model._meta.concrete_fields:
                if field.primary_key or field.name in BOOKKEEPING or field.attname not in _tracked(model):
                    continue
                if field.name.endswith("_precision") and field.name.removesuffix("_precision") in names:
                    continue  # shown with its date, as the reader sees it ("May 2024")
                old = _shown(before, field, names)
                new = _shown(after, field, names)
                if old != new:
                    fields.append({"name": str(field.verbose_name), "before": old, "after": new})
            old_sources, new_sources = _sources(before), _sources(after)
            if old_sources != new_sources:
                fields.append({"name": str(_("sources")), "before": "; ".join(s.title_or_url for s in old_sources),
                               "after": "; ".join(s.title_or_url for s in new_sources)})  # fmt: skip
            if not fields and state == "changed":
                continue
            entries.append({
                "what": str(model._meta.verbose_name), "name": _name(latest),  # not "… as of <time>"
                "state": state, "fields": fields, "sources": new_sources,
                "reasons": sorted({r for r in history.filter(id=rid, history_date__gte=since)
                                  .values_list("history_change_reason", flat=True) if r}),
            })  # fmt: skip
    return entries


def _name(version) -> str:
    """A record's name as it stood in `version`; a record of a deleted case may not name itself (its case is gone)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return str(version.instance)
    except ObjectDoesNotExist:
        return f"#{version.id}"


def _shown(version, field, names=()) -> str:
    """A field's value in a version as a reader would see it: a partial date as precisely as it is known ("May
    2024", "2008"), a choice by its label, a country or a related record by its name."""
    if version is None:
        return ""
    value = getattr(version, field.attname, None)
    if value is None or (isinstance(value, str | list | tuple) and not value):
        return ""
    if isinstance(value, datetime.date) and f"{field.name}_precision" in names:
        from common.models import format_partial_date

        return format_partial_date(value, getattr(version, f"{field.name}_precision", "day") or "day")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                                   "DATETIME_FORMAT")  # fmt: skip
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if hasattr(value, "code") and hasattr(value, "name"):  # a country
        return str(value.name) if value.code else ""
    if field.choices and field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        target = field.related_model._base_manager.filter(pk=value).first()
        return str(target) if target is not None else f"#{value}"
    if isinstance(value, list | tuple):
        return ", ".join(str(getattr(v, "name", v)) for v in value)
    return str(value)


def _sources(version) -> list:
    """The sources a version cites (its historical m2m rows), as Source records."""
    if version is None or not hasattr(version, "sources"):
        return []
    from django.apps import apps

    ids = [row.source_id for row in version.sources.all()]
    source = apps.get_model("sources", "Source")
    found = list(source._default_manager.filter(pk__in=ids).select_related("outlet").order_by("pk"))
    for s in found:
        s.title_or_url = s.title or s.url or f"#{s.pk}"
    return found

"""Admin pieces every app shares: a reason with each change, and a page of deleted records to restore."""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin_widgets import fitting_formfield
from common.integrity import UnsourcedFacts, check_now, checked_writes, lock_record
from common.partial_dates import PartialDatesFormMixin

# Reasons the software writes itself; the public change log leaves them out.
INTERNAL_REASONS = ("Demo data", "Article intake", "Cited source", "Imported", "Merged", "Kept as a draft", "Review:")


def is_public_reason(reason: str | None) -> bool:
    return bool(reason) and not reason.startswith(INTERNAL_REASONS)


def version_of(instance) -> str:
    """The version an editor loads with a record: its last save time, to the microsecond."""
    return instance.updated_at.isoformat() if getattr(instance, "updated_at", None) else ""


def describe_changes(instance, loaded: str) -> str:
    """What another editor changed since version `loaded`, in words: "place: “Moscow” → “Tver” (editor2, 12:03)"."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return ""
    try:
        loaded_at = datetime.datetime.fromisoformat(loaded)
    except ValueError:
        return ""
    versions = history.filter(id=instance.pk).order_by("-history_date", "-history_id")
    before = versions.filter(updated_at__lte=loaded_at).first()
    after = versions.select_related("history_user").first()
    if before is None or after is None or before.history_id == after.history_id:
        return ""
    delta = after.diff_against(before)
    parts = [
        f"{instance._meta.get_field(c.field).verbose_name}: “{_short(c.old)}” → “{_short(c.new)}”"
        for c in delta.changes
        if c.field not in ("updated_at",)
    ]
    who = after.history_user.get_username() if after.history_user else "someone"
    when = timezone.localtime(after.history_date).strftime("%-d %b %H:%M")
    return f"{'; '.join(parts) or 'no visible field'} (saved by {who}, {when})"


def _short(value) -> str:
    text = (
        ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value if value is not None else "")
    )
    return text if len(text) <= 60 else text[:57] + "…"


class StaleVersion(ValidationError):
    """The record changed after the editor loaded it; nothing was saved."""


def conflict_message(instance, loaded: str) -> str:
    changed = describe_changes(instance, loaded)
    what = f"{instance._meta.verbose_name} “{instance}”"
    return (
        f"Someone else saved this record after you opened it: {what}"
        + (f" — {changed}" if changed else "")
        + ". Nothing was saved. Your input is still below: reload the page to see their version, then re-apply what "
        "you need."
    )


def claim_version(instance, loaded: str) -> None:
    """Make sure the row is still at the version the editor loaded, atomically: the conditional UPDATE takes the
    row's lock (PostgreSQL) or the database's write lock (SQLite) until the save commits, so two saves of the same
    version cannot both pass. The record's case is locked first (`lock_record`): the one lock order of every write
    (the case, then what is written in it), so this save and an API write to the same case cannot deadlock."""
    model = type(instance)
    if instance.pk is not None:
        lock_record(instance)
    try:
        loaded_at = datetime.datetime.fromisoformat(loaded) if loaded else None
    except ValueError:
        loaded_at = None
    if loaded_at is not None and model._default_manager.filter(pk=instance.pk, updated_at=loaded_at).update(
        updated_at=loaded_at
    ):
        return
    if model._default_manager.filter(pk=instance.pk).exists():
        raise StaleVersion(conflict_message(instance, loaded), code="conflict")
    # A deleted record being restored from its history: there is no newer version to overwrite.


class VersionedForm(forms.Form):
    """Every record an admin form saves carries the version the editor loaded; a stale or missing one is refused.

    Used by the main form and by every inline row. The check here gives the editor the message early; the write
    itself claims the version atomically (`claim_version`) so a save between the two cannot slip through.
    """

    loaded_version = forms.CharField(required=False, widget=forms.HiddenInput)
    refusal: ValidationError | None = None  # set by the admin when a first attempt was refused (see RecordAdminMixin)
    # On a history page the form shows an old version; what the editor overwrites is the one stored now.
    version_from_database = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField):
                # The ids shown travel with the form: the exact original of a three-way merge (`merge_form`); a
                # citation added meanwhile is not in the history row of the version loaded.
                field.show_hidden_initial = True
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            if self.version_from_database:
                stored = type(instance)._default_manager.filter(pk=instance.pk).first()
                self.fields["loaded_version"].initial = version_of(stored) if stored else ""
            else:
                self.fields["loaded_version"].initial = version_of(instance)

    def will_save(self) -> bool:
        """An inline row is saved only when changed or deleted; the main form always is."""
        return not hasattr(self, "prefix_is_inline") or self.has_changed()

    def has_changed(self):
        merged = getattr(self, "merge_changed", None)
        if merged is not None:  # a stale row merged with the stored one: changed only if this editor changed it
            return bool(merged) or bool(self.cleaned_data.get("DELETE"))
        return bool([name for name in self.changed_data if name != "loaded_version"])

    def clean(self):
        cleaned = super().clean()
        instance = getattr(self, "instance", None)
        if self.refusal is not None:
            raise ValidationError(self.refusal.messages)
        if instance is None or not instance.pk or not self.will_save():
            return cleaned
        loaded = cleaned.get("loaded_version") or ""
        current = type(instance)._default_manager.filter(pk=instance.pk).values_list("updated_at", flat=True).first()
        if current is None:
            return cleaned  # a deleted record being restored: nothing newer to overwrite
        if not loaded:
            raise ValidationError(
                _(
                    "This form did not say which version of %(kind)s “%(record)s” you loaded, so it could overwrite "
                    "someone else's change. Reload the page and make your change again."
                )
                % {"kind": instance._meta.verbose_name, "record": instance},
                code="no_version",
            )
        if current.isoformat() != loaded and (self.cleaned_data.get("DELETE") or not hasattr(self, "_meta")):
            raise ValidationError(conflict_message(instance, loaded), code="conflict")  # a stale deletion
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if not self._errors:
            merge_form(self)


def merge_form(form) -> None:
    """Merge what the editor typed into the record as it is stored now (`common.merge`): fields only someone else
    changed since the version loaded keep their value, fields only this editor changed are saved, and a field both
    changed is a conflict the editor resolves with a choice per field (`merge-<field>` radio buttons, posted with
    the form again). Sets `form.merged_version` (the version the save then claims) and `form.merge_changed` (the
    fields this save writes); a conflict not resolved yet is a form error, with `form.merge_conflicts` to show."""
    from django.db import connection

    from common.merge import Conflict, base_version, display, merge_record, mergeable_fields

    form.merge_conflicts, form.merged_version = [], None
    instance = getattr(form, "instance", None)
    cleaned = getattr(form, "cleaned_data", {})
    if instance is None or not instance.pk or not hasattr(form, "_meta") or cleaned.get("DELETE"):
        return
    if hasattr(form, "prefix_is_inline") and not form.will_save():
        return
    loaded = cleaned.get("loaded_version") or ""
    if not loaded:
        return
    model = type(instance)
    if connection.in_atomic_block:
        lock_record(instance)  # held until the save commits: nothing changes between this merge and the write
    stored = model._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    form.merged_version = version_of(stored)
    if form.merged_version == loaded:
        return
    base = base_version(stored, loaded)
    if base is None:
        form.add_error(None, ValidationError(conflict_message(instance, loaded), code="conflict"))
        return
    names = mergeable_fields(model, [n for n in form.fields if n in cleaned])
    m2m = {n: [o.pk for o in cleaned[n]] for n in names if model._meta.get_field(n).many_to_many}
    shown = {n: form.data.getlist(form.add_initial_prefix(n)) for n in m2m
             if hasattr(form.data, "getlist") and form.add_initial_prefix(n) in form.data}  # fmt: skip
    merged, conflicts, theirs, original, yours = merge_record(instance, stored, base, names, m2m, shown)
    pending = []
    for name in conflicts:
        head = name.removesuffix("_precision")
        chosen = form.data.get(form.add_prefix(f"merge-{head}"))
        if chosen in ("theirs", "original"):
            merged[name] = (theirs if chosen == "theirs" else original).get(name)
        elif chosen != "yours":
            pending.append(head)
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_many:
            cleaned[name] = field.related_model._default_manager.filter(pk__in=merged[name])
        else:
            setattr(instance, field.attname, merged[name])
    form.merge_changed = [n for n in names if n in merged and str(merged[n]) != str(theirs.get(n))]
    if not pending:
        return
    label = f"{model._meta.verbose_name} “{stored}”"
    for name in dict.fromkeys(pending):
        field = model._meta.get_field(name)
        form.merge_conflicts.append(Conflict(
            record=label, field=name, label=str(field.verbose_name),
            theirs=display(model, name, theirs.get(name)), yours=display(model, name, yours.get(name)),
            original=display(model, name, original.get(name)), choice_name=form.add_prefix(f"merge-{name}"),
        ))  # fmt: skip
    who = describe_changes(stored, loaded)
    names_text = ", ".join(c.label for c in form.merge_conflicts)
    form.add_error(None, ValidationError(
        _("Someone else saved this record after you opened it, and changed what you changed too: %(fields)s "
          "(%(record)s%(who)s). Nothing was saved; your input is kept. Choose below, field by field, which value to "
          "keep, then save again.") % {"fields": names_text, "record": label, "who": f"; {who}" if who else ""},
        code="conflict",
    ))  # fmt: skip


class ChangeReasonForm(VersionedForm):
    """Added to every case-record admin form: a reason for the change, and the version the editor loaded."""

    change_reason = forms.CharField(
        required=False,
        max_length=100,
        label=_("Reason for this change"),
        help_text=_("Optional. Say what was corrected and why; published cases show it in their change log."),
        widget=forms.TextInput(attrs={"size": 80}),
    )


class VersionedInlineForm(VersionedForm, PartialDatesFormMixin, forms.ModelForm):
    prefix_is_inline = True


class VersionedInlineMixin:
    """Inline rows carry their version too: a row someone else changed meanwhile is never silently reverted."""

    form = VersionedInlineForm

    def get_formset(self, request, obj=None, **kwargs):
        base = kwargs.pop("form", self.form)
        if not issubclass(base, VersionedInlineForm):
            base = type(f"{base.__name__}Versioned", (VersionedInlineForm, base), {})
        return super().get_formset(request, obj, form=base, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if "loaded_version" in fields else [*fields, "loaded_version"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return fitting_formfield(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


class RecordAdminMixin:
    """The editors' safety net on every case-record admin.

    - "Reason for this change", stored with the history record; on a published case the reason (never the editor's
      name) appears in the public change log.
    - The version each record was loaded at, on the main form and every inline row; a save over a newer version, or
      without one, is refused with what the other editor changed.
    - The whole save (form, inlines, citations) runs in one `checked_writes()` block: a save that would leave a
      published case with an unsourced fact is refused as a form error listing what is missing, nothing saved, the
      editor's input kept on screen.
    """

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.pop("form", self.form)
        match = getattr(request, "resolver_match", None)
        attrs = {
            "refusal": getattr(request, "_admin_refusal", None),
            "version_from_database": bool(match and (match.url_name or "").endswith("_simple_history")),
        }
        mixins = (ChangeReasonForm, PartialDatesFormMixin)  # first, so their clean() runs
        form = type(f"{base.__name__}WithReason", (*mixins, base), attrs)
        return super().get_form(request, obj, form=form, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return fitting_formfield(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {
            f
            for _title, opts in fieldsets
            for row in opts["fields"]
            for f in (row if isinstance(row, tuple) else [row])
        }
        if "change_reason" in names:
            return fieldsets
        return [*fieldsets, (_("Change note"), {"fields": ["change_reason", "loaded_version"]})]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if not isinstance(inline, VersionedInlineMixin):
                inline.__class__ = type(f"Versioned{type(inline).__name__}", (VersionedInlineMixin, type(inline)), {})
        return inlines

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or "_saveasnew" in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with checked_writes():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:  # unsourced facts, or a version claimed by someone else meanwhile
            if isinstance(refusal, UnsourcedFacts):
                refusal = ValidationError([REFUSAL_LEAD, *(p.message for p in refusal.problems)], code="unsourced")
            request._admin_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            claim_version(obj, getattr(form, "merged_version", None) or form.cleaned_data.get("loaded_version") or "")
        reason = form.cleaned_data.get("change_reason")
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for row in formset.forms:
            if row.instance.pk and (row in formset.deleted_forms or row.has_changed()):
                loaded = getattr(row, "merged_version", None) or row.cleaned_data.get("loaded_version") or ""
                claim_version(row.instance, loaded)
        super().save_formset(request, form, formset, change)

    def render_change_form(self, request, context, *args, **kwargs):
        """The fields in conflict with another editor's save, of the main form and every inline row, side by side."""
        forms_shown = [context["adminform"].form] if "adminform" in context else []
        for inline in context.get("inline_admin_formsets", []):
            forms_shown += list(inline.formset.forms)
        context["merge_conflicts"] = [c for f in forms_shown for c in getattr(f, "merge_conflicts", [])]
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        check_now()  # before the "saved" message and the log entry


REFUSAL_LEAD = _("Not saved: a published record must cite a source for every fact. These cite none:")


ChangeReasonAdminMixin = RecordAdminMixin  # the name the first admins used


def _label(version, deletion) -> str:
    """A deleted record's name; its own parent may be gone too (a detention of a deleted case), so never a 500."""
    if version is None:
        return f"#{deletion.id}"
    try:
        return str(version.instance)
    except ObjectDoesNotExist:
        return f"{version.instance._meta.verbose_name} #{deletion.id} (its case was deleted too)"


def restore_deleted_view(request, label: str, pk: int):
    """POST: bring back a deleted record with everything deleted with it (a case with its custody and citations)."""
    from django.apps import apps
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed, HttpResponseRedirect

    from common.restore import restore_deleted

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return HttpResponseRedirect(reverse("deleted-records"))
    if not request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
        messages.error(request, _("You may not restore this kind of record."))
        return HttpResponseRedirect(reverse("deleted-records"))
    try:
        restored = restore_deleted(model, pk, reason=f"Restored by {request.user.get_username()}")
    except ValidationError as refusal:
        messages.error(request, _("Not restored: ") + " ".join(refusal.messages))
        return HttpResponseRedirect(reverse("deleted-records"))
    if not restored:
        messages.warning(request, _("Nothing to restore: the record exists or has no earlier version."))
        return HttpResponseRedirect(reverse("deleted-records"))
    messages.success(
        request,
        ngettext("Restored %(count)d record(s): %(records)s.", "Restored %(count)d record(s): %(records)s.",
                 len(restored))  # fmt: skip
        % {"count": len(restored), "records": "; ".join(restored)},
    )
    return HttpResponseRedirect(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk]))


def deleted_records_view(request):
    """Every case record deleted lately, with a link to the version an editor can restore."""
    rows = []
    for model in admin.site._registry:
        history = getattr(model, "history", None)
        if history is None or not request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
            continue
        deleted = history.filter(history_type="-").exclude(id__in=model._default_manager.values("pk"))
        for record in deleted.select_related("history_user").order_by("-history_date")[:100]:
            previous = history.filter(id=record.id, history_type__in=["+", "~"]).order_by("-history_date").first()
            try:
                restore = (
                    reverse(
                        f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
                        args=[record.id, previous.history_id],
                    )
                    if previous
                    else ""
                )
            except NoReverseMatch:
                restore = ""
            whole = reverse("deleted-restore", args=[model._meta.label_lower, record.id]) if previous else ""
            rows.append({"model": model._meta.verbose_name, "label": _label(previous, record),
                         "when": record.history_date, "who": record.history_user, "restore": restore,
                         "restore_all": whole})  # fmt: skip
    rows.sort(key=lambda r: r["when"], reverse=True)
    context = {**admin.site.each_context(request), "title": _("Deleted records"), "rows": rows}
    return TemplateResponse(request, "admin/deleted_records.html", context)


from common import admin_review  # noqa: E402,F401  (the review queue, registered with the admin)

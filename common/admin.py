"""Admin pieces every app shares: a reason with each change, and a page of deleted records to restore."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

# Reasons the software writes itself; the public change log leaves them out.
INTERNAL_REASONS = ("Demo data", "Article intake", "Cited source", "Imported", "Merged", "Kept as a draft")


def is_public_reason(reason: str | None) -> bool:
    return bool(reason) and not reason.startswith(INTERNAL_REASONS)


class ChangeReasonForm(forms.Form):
    """Added to every case-record admin form: a reason for the change, and the version the editor loaded."""

    loaded_version = forms.CharField(required=False, widget=forms.HiddenInput)
    change_reason = forms.CharField(
        required=False,
        max_length=100,
        label="Reason for this change",
        help_text="Optional. Say what was corrected and why; published cases show it in their change log.",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and getattr(instance, "updated_at", None) and not self.is_bound:
            self.fields["loaded_version"].initial = instance.updated_at.isoformat()

    def clean(self):
        """Two editors who opened the same record: the second save is refused, never silently applied."""
        cleaned = super().clean()
        instance = getattr(self, "instance", None)
        loaded = cleaned.get("loaded_version")
        if instance is not None and instance.pk and loaded:
            current = (
                type(instance)._default_manager.filter(pk=instance.pk).values_list("updated_at", flat=True).first()
            )
            if current is not None and current.isoformat() != loaded:
                raise forms.ValidationError(
                    "Someone else saved this record after you opened it, so your changes were not saved. They are "
                    "still in the form below: copy what you need, open the record again, and re-apply them.",
                    code="conflict",
                )
        return cleaned


class ChangeReasonAdminMixin:
    """Adds "Reason for this change" to the form; it is stored with the history record.

    On a published case the reason (never the editor's name) appears in the public change log.
    """

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.pop("form", self.form)
        form = type(f"{base.__name__}WithReason", (ChangeReasonForm, base), {})  # first, so its clean() runs
        return super().get_form(request, obj, form=form, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {
            f for _, opts in fieldsets for row in opts["fields"] for f in (row if isinstance(row, tuple) else [row])
        }
        if "change_reason" in names:
            return fieldsets
        return [*fieldsets, ("Change note", {"fields": ["change_reason", "loaded_version"]})]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason")
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)


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
            rows.append({"model": model._meta.verbose_name, "label": str(previous.instance) if previous else record.id,
                         "when": record.history_date, "who": record.history_user, "restore": restore})  # fmt: skip
    rows.sort(key=lambda r: r["when"], reverse=True)
    context = {**admin.site.each_context(request), "title": "Deleted records", "rows": rows}
    return TemplateResponse(request, "admin/deleted_records.html", context)

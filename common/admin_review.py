"""The review queue in the admin ("To check"): each item's diff with its sources, and the second editor's decision."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common import review
from common.integrity import UnsourcedFacts
from common.models import ReviewItem


def may_see_queue(user) -> bool:
    """Editors: staff who may change cases."""
    return bool(user.is_active and user.is_staff and (
        user.has_perm("detainees.change_detainee") or user.has_perm("exchanges.change_exchange")))  # fmt: skip


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("to check")), ("closed", _("closed")), ("all", _("all"))]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {"selected": value == lookup, "query_string": changelist.get_query_string({self.parameter_name:
                   lookup}), "display": title}  # fmt: skip

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(outcome="")
        if value == "closed":
            return queryset.exclude(outcome="")
        return queryset


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["case_link", "kind", "since", "changed_by", "outcome", "closed_at"]
    list_filter = [OpenFilter, "kind"]
    list_select_related = ["content_type"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("editors")

    @admin.display(description=_("case"))
    def case_link(self, item):
        url = reverse("admin:common_reviewitem_change", args=[item.pk])
        case = item.case
        if case is None:
            return format_html('<a href="{}">{} {}</a>', url, item.case_name(), _("(deleted)"))
        return format_html('<a href="{}">{}</a>', url, case)

    @admin.display(description=_("changed by"))
    def changed_by(self, item):
        return ", ".join(u.get_username() for u in item.editors.all())

    def has_module_permission(self, request):
        return may_see_queue(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see_queue(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not may_see_queue(request.user):
            raise PermissionDenied
        item = get_object_or_404(ReviewItem.objects.select_related("content_type"), pk=object_id)
        if request.method == "POST":
            return self.decide(request, item)
        case = item.case
        opts = case._meta if case is not None else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review: %(case)s") % {"case": item.case_name(case)},
            "name": item.case_name(case),
            "opts": self.model._meta,
            "item": item,
            "case": case,
            "case_url": case.get_absolute_url() if case is not None else "",
            "edit_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[case.pk]) if case else "",
            "entries": review.diff(item),
            "editors": [u.get_username() for u in item.editors.all()],
            "refusal": review.refusal(request.user, item),
            "progress": item.progress(),
            # An author checks the other authors' part only (h24): the button says whose.
            "part_of": [u.get_username() for u in review.others_to_check(item, request.user)]
            if item.editors.filter(pk=request.user.pk).exists() else [],
            "may_send_back": item.kind == ReviewItem.Kind.PUBLISH and not item.outcome and (
                item.editors.filter(pk=request.user.pk).exists() or request.user.has_perm(review.PERMISSION)),
        }  # fmt: skip
        return TemplateResponse(request, "admin/common/reviewitem/review.html", context)

    def decide(self, request, item):
        decision = request.POST.get("decision")
        actions = {"approve": review.approve, "revert": review.revert, "send_back": review.send_back}
        if decision not in actions:
            messages.error(request, _("Choose approve, revert or send back."))
            return redirect(request.path)
        try:
            actions[decision](item, request.user)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal) or _("You may not decide this item."))
            return redirect(request.path)
        except UnsourcedFacts as refusal:
            messages.error(request, format_html("{} {}", _("Refused: a published case may not have unsourced facts."),
                                                "; ".join(p.message for p in refusal.problems)))  # fmt: skip
            return redirect(request.path)
        except ValidationError as refusal:
            messages.error(request, "; ".join(refusal.messages))
            return redirect(request.path)
        item.refresh_from_db()
        if decision == "approve" and not item.outcome:  # the user's part is done; their own changes are left
            messages.success(request, format_html("{} {}", _("Checked your part."), "; ".join(item.progress())))
            return redirect(reverse("admin:common_reviewitem_changelist"))
        done = {"approve": _("Approved: it is public, and marked checked today.") if item.kind == "publish"
                else _("Marked checked."), "revert": _("Reverted to the version last checked."),
                "send_back": _("Sent back to draft.")}[decision]  # fmt: skip
        messages.success(request, done)
        return redirect(reverse("admin:common_reviewitem_changelist"))

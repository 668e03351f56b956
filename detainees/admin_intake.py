"""Article intake in the admin: paste a report, see what on file it names, cite it in a click."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from sources.models import Source

from .intake import analyse
from .models import Detainee
from .services import cite_in_case, intake_article


class IntakeForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["url", "title", "outlet", "via", "published_on", "published_on_precision", "language", "author",
                  "summary", "text"]  # fmt: skip
        widgets = {"text": forms.Textarea(attrs={"rows": 16, "cols": 100}), "summary": forms.Textarea({"rows": 3})}
        help_texts = {"text": "Paste the article. It is kept for editors only and never published."}


def intake_view(request):
    """Step 1: the article's metadata and text; saving it leads to the matches."""
    if not request.user.has_perm("sources.add_source"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = intake_article(**form.cleaned_data)
        messages.success(request, f"Saved “{source.title}”. Here is what it names that is already on file.")
        return redirect("admin:detainees_intake_review", source.pk)
    context = {**admin.site.each_context(request), "title": "Article intake", "form": form}
    return TemplateResponse(request, "admin/detainees/intake.html", context)


def intake_review_view(request, source_id: int):
    """Step 2: the cases, outlets, officials and dates the article names; one click cites it in a case."""
    if not request.user.has_perm("sources.view_source"):
        raise PermissionDenied
    source = get_object_or_404(Source.objects.select_related("outlet"), pk=source_id)
    if request.method == "POST":
        if not request.user.has_perm("detainees.change_detainee"):
            raise PermissionDenied
        detainee = get_object_or_404(Detainee, pk=request.POST.get("cite"))
        added = cite_in_case(source=source, detainee=detainee)
        messages.success(request, f"Cited in {detainee.name}." if added else f"{detainee.name} cited it already.")
        return redirect("admin:detainees_intake_review", source.pk)
    result = analyse(source.text or "", source.published_on)
    cited = set(source.cited_detainees.values_list("pk", flat=True))
    statement_add = reverse("admin:sources_statement_add")
    officials = [
        (
            m,
            statement_add
            + "?"
            + urlencode(
                {
                    "speaker": m.obj.speaker,
                    "speaker_role": m.obj.speaker_role,
                    "speaker_country": m.obj.speaker_country.code or "",
                    "source": source.pk,
                }
            ),
        )  # fmt: skip
        for m in result.officials
    ]
    official_add = reverse("admin:sources_official_add")
    # Speakers the article names who have no official record yet: one click starts one, prefilled.
    to_create = [
        (m, official_add + "?" + urlencode({"name": m.obj.speaker, "role": m.obj.speaker_role,
                                            "country": m.obj.speaker_country.code or ""}))
        for m in result.officials
    ]  # fmt: skip
    on_file = [
        (m, statement_add + "?" + urlencode({"speaker": m.found if m.strong else m.obj.name, "official": m.obj.pk,
                                             "speaker_role": m.obj.role, "speaker_country": m.obj.country.code or "",
                                             "source": source.pk}))
        for m in result.officials_on_file
    ]  # fmt: skip
    context = {
        **admin.site.each_context(request),
        "title": f"Intake: {source.title}",
        "source": source,
        "result": result,
        "cited": cited,
        "officials": officials,
        "officials_to_create": to_create,
        "officials_on_file": on_file,
    }
    return TemplateResponse(request, "admin/detainees/intake_review.html", context)

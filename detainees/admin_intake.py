"""Article intake in the admin: paste a report, see what on file it names, cite it in a click."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.admin_widgets import ADD_ANOTHER_MEDIA, add_another
from common.partial_dates import PartialDatesFormMixin
from sources.models import Source

from .intake import analyse
from .models import Detainee
from .services import case_facts, cite_in_cases, cite_in_facts, intake_article, start_draft_case


class IntakeForm(PartialDatesFormMixin, forms.ModelForm):
    """The article's metadata and text. An article already on file is not entered twice: the same address (however
    copied, see `Source.clean`) is refused, and the same outlet, date and title is a warning the editor must
    answer, each with a link to the one on file."""

    different_article = forms.BooleanField(
        required=False,
        label=_("It is a different article"),
        help_text=_("Tick only when the article listed above as on file is another one with the same title and date."),
    )

    class Meta:
        model = Source
        fields = ["url", "title", "outlet", "via", "published_on", "published_on_precision", "language", "author",
                  "summary", "text"]  # fmt: skip
        widgets = {
            "url": forms.URLInput(attrs={"class": "vURLField"}),
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "text": forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField"}),
            "summary": forms.Textarea({"rows": 3, "class": "vLargeTextField"}),
        }
        help_texts = {"text": _("Paste the article. It is kept for editors only and never published.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_file = []
        for name in ("outlet", "via"):  # an outlet not on file is added in a pop-up, here
            field = Source._meta.get_field(name)
            box = AutocompleteSelect(field, admin.site)
            box.choices = self.fields[name].choices
            self.fields[name].widget = add_another(box, field, admin.site)

    @property
    def media(self):
        return super().media + ADD_ANOTHER_MEDIA

    def clean(self):
        cleaned = super().clean()
        same = Source.objects.same_article(
            url="", outlet=cleaned.get("outlet"), published_on=cleaned.get("published_on"),
            title=cleaned.get("title") or "",
        )  # fmt: skip
        self.on_file = list(same)
        if self.on_file and not cleaned.get("different_article"):
            raise ValidationError(
                _(
                    "An article from this outlet with this title and date is on file already (listed below). Open it "
                    "instead, or tick “It is a different article”."
                )
            )
        return cleaned

    def url_on_file(self) -> Source | None:
        """The source on file with the same address, when that is why the form was refused."""
        url = self.data.get("url") if self.is_bound else ""
        return Source.objects.same_article(url=url).first() if url and "url" in self.errors else None


def intake_view(request):
    """Step 1: the article's metadata and text; saving it leads to the matches."""
    if not request.user.has_perm("sources.add_source"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in IntakeForm._meta.fields}
        source = intake_article(**fields)
        messages.success(request, _("Saved “%(title)s”. Here is what it names that is already on file.")
                         % {"title": source.title})  # fmt: skip
        return redirect("admin:detainees_intake_review", source.pk)
    on_file = list(form.on_file) if form.is_bound else []
    if form.is_bound and (by_url := form.url_on_file()) and by_url not in on_file:
        on_file.insert(0, by_url)
    context = {**admin.site.each_context(request), "title": _("Article intake"), "form": form, "on_file": on_file,
               "media": form.media}  # fmt: skip
    return TemplateResponse(request, "admin/detainees/intake.html", context)


def cite_ticked(request, source):
    """Cite the article in every fact ticked, in every case of the page; the confirmation lists exactly those."""
    chosen = {int(name[5:]): request.POST.getlist(name) for name in request.POST
              if name.startswith("fact-") and name[5:].isdigit()}  # fmt: skip
    try:
        done = cite_in_cases(source=source, chosen=chosen)
    except ValidationError as refusal:
        messages.error(request, _("Nothing was cited: %(why)s") % {"why": " ".join(refusal.messages)})
        return redirect("admin:detainees_intake_review", source.pk)
    cited = [(person, added) for person, added in done if added]
    if cited:
        items = format_html_join("", "<li>{}: {}</li>", ((p.name, "; ".join(a)) for p, a in cited))
        messages.success(request, format_html(gettext("Cited this article in: <ul>{}</ul>"), items))
    already = [person.name for person, added in done if not added]
    if already:
        messages.info(request, _("Those facts cite it already: %(names)s.") % {"names": ", ".join(already)})
    return redirect("admin:detainees_intake_review", source.pk)


def intake_review_view(request, source_id: int):
    """Step 2: the cases, outlets, officials and dates the article names; one click cites it in a case."""
    if not request.user.has_perm("sources.view_source"):
        raise PermissionDenied
    source = get_object_or_404(Source.objects.select_related("outlet"), pk=source_id)
    if request.method == "POST":
        if not request.user.has_perm("detainees.change_detainee"):
            raise PermissionDenied
        if "new_case" in request.POST:
            if not request.user.has_perm("detainees.add_detainee"):
                raise PermissionDenied
            try:
                person = start_draft_case(name=request.POST["new_case"], source=source)
            except ValidationError as refusal:
                messages.error(request, " ".join(refusal.messages))
                return redirect("admin:detainees_intake_review", source.pk)
            url = reverse("admin:detainees_case_edit", args=[person.pk])
            messages.success(
                request,
                format_html(
                    gettext(
                        'Draft case started for {}, citing this article: <a href="{}">open it</a> to add what the '
                        "article says."
                    ),
                    person.name,
                    url,
                ),
            )
            return redirect("admin:detainees_intake_review", source.pk)
        if "cite_all" in request.POST:  # the one form of every case found: every tick is saved, or none
            return cite_ticked(request, source)
        detainee = get_object_or_404(Detainee, pk=request.POST.get("cite"))
        try:
            added = cite_in_facts(source=source, detainee=detainee, keys=request.POST.getlist("fact"))
        except ValidationError as refusal:
            messages.error(request, " ".join(refusal.messages))
            return redirect("admin:detainees_intake_review", source.pk)
        if added:
            messages.success(
                request,
                _("Cited in %(name)s's case: %(facts)s.")
                % {"name": detainee.name, "facts": "; ".join(map(str, added))},
            )
        else:
            messages.info(request, _("Those facts of %(name)s's case cite it already.") % {"name": detainee.name})
        return redirect("admin:detainees_intake_review", source.pk)
    result = analyse(source.text or "", source.published_on)
    cited = set(source.cited_detainees.values_list("pk", flat=True))
    cases = [(m, case_facts(m.obj, source)) for m in result.detainees]
    about = ",".join(str(m.obj.pk) for m in result.detainees if m.strong)  # statements prefilled with these cases
    statement_add = reverse("admin:sources_statement_add")
    prefill = {"source": source.pk, **({"detainees": about} if about else {})}
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
                    **({"detainees": about} if about else {}),
                }
            ),
        )  # fmt: skip
        for m in result.officials
    ]
    official_add = reverse("admin:sources_official_add")
    # Speakers the article names who have no official record yet: one click starts one, prefilled.
    to_create = [
        (m, official_add + "?" + urlencode({"name": m.obj.speaker, "role": m.obj.speaker_role,
                                            "country": m.obj.speaker_country.code or "", "_popup": 1}))
        for m in result.officials
    ]  # fmt: skip
    on_file = [
        (m, statement_add + "?" + urlencode({"speaker": m.found if m.strong else m.obj.name, "official": m.obj.pk,
                                             "speaker_role": m.obj.role, "speaker_country": m.obj.country.code or "",
                                             "source": source.pk, **({"detainees": about} if about else {})}))
        for m in result.officials_on_file
    ]  # fmt: skip
    context = {
        **admin.site.each_context(request),
        "title": _("Intake: %(title)s") % {"title": source.title},
        "source": source,
        "result": result,
        "cited": cited,
        "cases": cases,
        "statement_add": statement_add + "?" + urlencode(prefill),
        "officials": officials,
        "officials_to_create": to_create,
        "officials_on_file": on_file,
        # "Create an official record" opens the admin's add form in a pop-up, as "+" does for outlets; on save the
        # row names the official and its "Add a statement" link carries them.
        "media": ADD_ANOTHER_MEDIA + forms.Media(js=["admin-extra/official-added.js"]),
    }
    return TemplateResponse(request, "admin/detainees/intake_review.html", context)

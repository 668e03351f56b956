"""One screen per case: the person, their custody, designations and the sources behind them, saved together.

A page of our own inside the admin (admin URL, admin templates, permission-checked, CSRF-protected). Each block of
the screen is an ordinary Django form, keyed by its row ("det-0-charge-1"); the keys posted in `rows` say which rows
the screen holds, so rows added in the browser (static/js/case_entry.js clones a <template>) are read like the rest.
A sentence names the charges it covers among the charge rows of its detention, and every fact names the source rows
it cites, so nothing needs saving first. The write itself is `services.enter_case`: one transaction inside a
`checked_writes()` block, so a published case with an unsourced fact is refused with the list, nothing saved, and
the editor's input is shown again.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import REFUSAL_LEAD, merge_form, version_of
from common.admin_widgets import ADD_ANOTHER_MEDIA, add_another, fitting_formfield
from common.integrity import UnsourcedFacts
from common.partial_dates import PartialDateField, PartialDatesFormMixin
from sources.models import Outlet, Source

from .forms import DetaineeAdminForm
from .models import Charge, Counsel, CustodyExtension, Designation, Detainee, Detention, Sentence, Transfer
from .services import CaseRecord, RowInvalid, enter_case

PERMISSIONS = [f"detainees.add_{m}" for m in ("detainee", "detention", "charge", "sentence", "transfer", "designation")]
PERMISSIONS.append("sources.add_source")
ROW = re.compile(r"^(?:src-(\d+)|des-(\d+)|det-(\d+)(?:-(charge|sentence|transfer|extension|counsel)-(\d+))?)$")
BLANK_ROWS = ["src-0", "det-0", "det-0-charge-0", "det-0-sentence-0"]
NOT_FACTS = ("cites", "loaded_cites", "for_charges", "loaded_version", "record", "delete", "change_reason",
             "not_a_duplicate")  # fmt: skip


def fitting(db_field, **kwargs):
    """Countries and currencies found by typing, as in every other admin form."""
    return fitting_formfield(db_field, db_field.formfield(**kwargs))


def row_number(key: str) -> int:
    """The number an editor reads beside a row: "det-0-charge-1" is Charge 2."""
    return int(key.rsplit("-", 1)[1]) + 1


def public_source_numbers(detainee: Detainee, request) -> dict[int, int]:
    """{source id: n} as the public case page numbers the sources it cites ("[n]" beside each fact, "n." in its list
    of sources), read off that page itself (the stored case document, `casedocs`: one query), so the screen and the
    page never disagree; {} for a case not public (no page to agree with) or whose page is not stored as it is now
    (then the screen numbers by its own order, as before; the page is stored again at its next visit)."""
    if not detainee.is_published:
        return {}
    from casedocs import services as casedocs

    page = casedocs.stored_page(detainee.slug, request) or ""
    return {int(pk): int(n) for n, pk in re.findall(r'<li id="source-(\d+)"><a href="[^"]*/sources/(\d+)/"', page)}


def loaded_version(form) -> str:
    """The version a save of this row claims: the one it was merged with (`common.merge`), else the one loaded."""
    return getattr(form, "merged_version", None) or form.cleaned_data.get("loaded_version") or ""


class CitesMixin(forms.Form):
    """The source rows of the screen a record cites (all of them unless the editor unticks some); for a record on
    file, which one it is, the version the editor loaded, and a box to delete it."""

    cites = forms.MultipleChoiceField(required=False, label=_("Cites"))
    record = forms.IntegerField(required=False, widget=forms.HiddenInput)
    loaded_version = forms.CharField(required=False, widget=forms.HiddenInput)
    # The ids of the sources a record on file cited when the screen was loaded: a save changes only the citations
    # this editor ticked or unticked, and keeps those someone else added or removed meanwhile (three-way merge).
    loaded_cites = forms.CharField(required=False, widget=forms.HiddenInput)
    delete = forms.BooleanField(required=False, label=_("Delete this record"))

    def __init__(self, *args, source_keys=(), source_labels=None, sources_on_file=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = source_labels or {}
        self.fields["cites"].choices = [(k, labels.get(k) or _("Source %(number)s") % {"number": row_number(k)})
                                        for k in source_keys]  # fmt: skip
        # A new row cites the sources described on this screen, never by default the case's sources on file: an
        # article of years ago does not report the fact being added (a new-user check found every one ticked).
        self.fields["cites"].initial = [k for k in source_keys if k not in sources_on_file]
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None or isinstance(instance, Detainee):
            del self.fields["delete"]
        if instance is not None and instance.pk is not None:
            self.fields["record"].initial = instance.pk
            self.fields["loaded_version"].initial = version_of(instance)
        for field in self.fields.values():
            if isinstance(field, PartialDateField):
                field.help_text = ""  # the screen says once how to type dates

    def cited_at_load(self) -> set[int] | None:
        """The source ids the record cited when the screen was loaded (None: not known, a form posted without them)."""
        if self.add_prefix("loaded_cites") not in self.data:
            return None
        return {int(pk) for pk in (self.cleaned_data.get("loaded_cites") or "").split(",") if pk.strip().isdigit()}

    def is_blank(self) -> bool:
        """Nothing typed in this row: it is left out (a screen always offers empty rows). A record on file never is."""
        if getattr(getattr(self, "instance", None), "pk", None) is not None:
            return False
        return not self.typed()

    def typed(self) -> bool:
        return bool([n for n in self.changed_data if n not in NOT_FACTS and not n.endswith("_precision")])

    def facts_changed(self) -> bool:
        """Whether saving this row writes anything: for a record someone else saved meanwhile, whether this editor
        changed a field of it (their changes to other fields are kept, `common.merge`)."""
        merged = getattr(self, "merge_changed", None)
        return bool(merged) if merged is not None else self.typed()

    def _post_clean(self):
        super()._post_clean()
        if not self._errors and getattr(getattr(self, "instance", None), "pk", None) is not None and self.typed():
            merge_form(self)


class PersonForm(CitesMixin, PartialDatesFormMixin, DetaineeAdminForm):
    change_reason = forms.CharField(
        required=False, max_length=100, label=_("Reason for this change"),
        help_text=_("Optional. Kept with the history of every record saved here."),
    )  # fmt: skip

    class Meta(DetaineeAdminForm.Meta):
        formfield_callback = fitting
        fields = ["name", "name_original", "aliases", "citizenships", "description", "description_ru", "born_on",
                  "born_on_precision", "wikidata_id", "is_published"]  # fmt: skip
        labels = {"is_published": _("Publish this case")}
        help_texts = {"is_published": _("Refused, with the list, while any fact on this screen cites no source.")}


class SourceRowForm(CitesMixin):
    """A source: one on file, or a new one described here (a URL already on file is that source)."""

    on_file = forms.ModelChoiceField(
        Source.objects.all(), required=False, label=_("Source on file"),
        widget=AutocompleteSelect(Detainee._meta.get_field("sources"), admin.site),
        help_text=_("Search by title or URL. Or describe a new source in the boxes below."),
    )  # fmt: skip
    url = forms.URLField(required=False, max_length=1000, label=_("URL"), assume_scheme="https")
    title = forms.CharField(
        required=False, max_length=500, label=_("Title"), help_text=_("Headline or document title, as published.")
    )
    headline_on_file = forms.BooleanField(
        required=False, initial=True, label=_("The title is the exact headline"),
        help_text=_(
            "Untick when it is your own short description: pages then say “editors’ description, headline unknown”."
        ),
    )  # fmt: skip
    outlet = forms.ModelChoiceField(
        Outlet.objects.all(), required=False, label=_("Outlet"),
        widget=add_another(AutocompleteSelect(Source._meta.get_field("outlet"), admin.site),
                           Source._meta.get_field("outlet"), admin.site),
        help_text=_("Not on file? “+” adds it without leaving this screen."),
    )  # fmt: skip
    published_on = PartialDateField(required=False, label=_("Published on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cites", "record", "loaded_version"):
            del self.fields[name]

    def is_blank(self) -> bool:
        return not any(self[name].value() for name in ("on_file", "url", "title", "outlet", "published_on"))

    def clean(self):
        cleaned = super().clean()
        described = any(cleaned.get(n) for n in ("url", "title", "outlet", "published_on"))
        self.found = None
        if cleaned.get("on_file"):
            if described:
                raise ValidationError(_("Pick a source on file or describe a new one, not both."))
            return cleaned
        if cleaned.get("url"):
            self.found = Source.objects.filter(url=cleaned["url"]).first()
        if self.found is None and described and not cleaned.get("title"):
            self.add_error("title", _("Give the title (or your short description, with the box below unticked)."))
        return cleaned

    def to_source(self) -> Source:
        data = self.cleaned_data
        if data.get("on_file"):
            return data["on_file"]
        if self.found is not None:
            return self.found
        date, precision = data["published_on"] or (None, "day")
        return Source(url=data["url"], title=data["title"], headline_on_file=data["headline_on_file"],
                      outlet=data["outlet"], published_on=date, published_on_precision=precision)  # fmt: skip


def row_form(model, names, **widgets):
    meta = type("Meta", (), {"model": model, "fields": names, "widgets": widgets, "formfield_callback": fitting})
    return type(f"{model.__name__}RowForm", (CitesMixin, PartialDatesFormMixin, forms.ModelForm), {"Meta": meta})


TEXT = forms.Textarea(attrs={"rows": 2, "cols": 40})
GROUP = Detention._meta.get_field("held_by_group")
GROUP_BOX = add_another(AutocompleteSelect(GROUP, admin.site), GROUP, admin.site)
DetentionRowForm = row_form(Detention, ["held_by", "held_by_group", "place", "detained_on", "detained_on_precision",
                                        "circumstances", "released_on", "released_on_precision", "end_reason",
                                        "last_confirmed_on", "last_confirmed_on_precision"],
                            held_by_group=GROUP_BOX)  # fmt: skip
ChargeRowForm = row_form(Charge, ["category", "outcome", "statute", "charged_on", "charged_on_precision",
                                  "description"], description=TEXT)  # fmt: skip
TransferRowForm = row_form(Transfer, ["moved_on", "moved_on_precision", "facility_name", "facility_kind"])
ExtensionRowForm = row_form(CustodyExtension, ["decided_on", "decided_on_precision", "court", "extended_to",
                                               "extended_to_precision", "description"])  # fmt: skip
CounselRowForm = row_form(Counsel, ["name", "role", "note"])
DESIGNATION_FIELDS = ["kind", "authority", "authority_country", "designated_on", "designated_on_precision",
                      "withdrawn_on", "withdrawn_on_precision"]  # fmt: skip
DesignationRowForm = row_form(Designation, DESIGNATION_FIELDS)


# The earlier sentence a term combines (`combines`) is chosen on the sentence's own admin page: on this screen it may
# not be saved yet. How it combines, and the day it counts from, are typed here.
class SentenceRowForm(row_form(Sentence, ["court", "court_city", "court_country", "in_absentia", "closed_trial",
                                          "sentenced_on", "sentenced_on_precision", "term_months", "is_life",
                                          "is_death", "is_suspended", "counted_from", "counted_from_precision",
                                          "combination", "fine_amount", "fine_currency"])):  # fmt: skip
    for_charges = forms.MultipleChoiceField(required=False, label=_("For charges"))

    def __init__(self, *args, charge_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["for_charges"].choices = [(k, _("Charge %(number)s") % {"number": row_number(k)})
                                              for k in charge_keys]  # fmt: skip


FORMS = {"charge": ChargeRowForm, "sentence": SentenceRowForm, "transfer": TransferRowForm,
         "extension": ExtensionRowForm, "counsel": CounselRowForm}  # fmt: skip


class CaseScreen:
    """Every form of the screen, keyed by row, validated together."""

    def __init__(self, data=None, detainee: Detainee | None = None, request=None):
        self.data, self.detainee = data, detainee
        self.public_numbers = public_source_numbers(detainee, request) if detainee and request else {}
        self.top_errors: list[str] = []
        self.on_file, self.loaded = self._case_on_file(detainee) if detainee else ({}, {})
        if data is not None:
            keys = data.getlist("rows")
        else:
            keys = list(self.loaded) if detainee else BLANK_ROWS
        keys = list(dict.fromkeys(k for k in keys if ROW.match(k)))
        self.source_keys = [k for k in keys if k.startswith("src-")]
        self.source_labels, self.sources_on_file = self._source_labels()
        self.source_keys.sort(key=self.shown_number)  # shown (and ticked) in the page's order: Source 1, 2, 3…
        self.person = self._form(PersonForm, "person", instance=detainee, initial=self.loaded.get("person", {}))
        self.sources = [(k, SourceRowForm(data, prefix=k, initial=self.loaded.get(k, (None, {}))[1])) for k in
                        self.source_keys]  # fmt: skip
        self.detentions = []
        for key in dict.fromkeys("-".join(k.split("-")[:2]) for k in keys if k.startswith("det-")):
            block = {"key": key, "form": self._form(DetentionRowForm, key)}
            charge_keys = [k for k in keys if k.startswith(f"{key}-charge-")]
            for kind, form_class in FORMS.items():
                extra = {"charge_keys": charge_keys} if kind == "sentence" else {}
                rows = [k for k in keys if k.startswith(f"{key}-{kind}-")]
                block[kind] = [(k, self._form(form_class, k, **extra)) for k in rows]
            self.detentions.append(block)
        self.designations = [(k, self._form(DesignationRowForm, k)) for k in keys if k.startswith("des-")]
        for key, form in self.rows():
            form.number = self.shown_number(key) if key != "person" else ""

    def _form(self, form_class, key, instance=None, initial=None, **extra):
        """The form of one row; a row naming a record on file edits that record (of this case only)."""
        initial = initial or {}
        if key != "person" and self.data is None:
            instance, initial = self.loaded.get(key, (None, {}))
        elif key != "person":
            record = self.data.get(f"{key}-record") or ""
            if record:
                instance = self.on_file.get(form_class._meta.model, {}).get(int(record) if record.isdigit() else 0)
                if instance is None:
                    self.top_errors.append(_("Row %(row)s names a record that is not part of this case any more "
                                             "(deleted meanwhile?). Reload the page; nothing was saved.")
                                           % {"row": key})  # fmt: skip
        return form_class(self.data, prefix=key, instance=instance, initial=initial, source_keys=self.source_keys,
                          source_labels=self.source_labels, sources_on_file=self.sources_on_file, **extra)  # fmt: skip

    def _source_labels(self) -> tuple[dict[str, str], set[str]]:
        """How a fact's "Cites" names each source row: "Source 2: TASS, 17 February 2022 — “headline”" for a
        source on file (one query), "Source 1: “title”" for one described here; and the rows that are on file."""
        on_file = {}
        for key in self.source_keys:
            pk = (self.data.get(f"{key}-on_file") if self.data is not None else
                  self.loaded.get(key, (None, {}))[1].get("on_file"))  # fmt: skip
            if str(pk or "").isdigit():
                on_file[key] = int(pk)
        found = Source.objects.select_related("outlet").in_bulk(list(on_file.values())) if on_file else {}
        self.source_numbers = {key: self.public_numbers[on_file[key]] for key in self.source_keys
                               if on_file.get(key) in found and on_file[key] in self.public_numbers}  # fmt: skip
        labels = {}
        for key in self.source_keys:
            number = _("Source %(number)s") % {"number": self.shown_number(key)}
            source = found.get(on_file.get(key))
            if source is not None:
                about = ", ".join(p for p in (str(source.outlet) if source.outlet_id else "",
                                              source.partial_date("published_on")) if p)  # fmt: skip
                labels[key] = f"{number}: {about} — “{source.title}”" if about else f"{number}: “{source.title}”"
            elif self.data is not None and (self.data.get(f"{key}-title") or "").strip():
                labels[key] = f"{number}: “{self.data[f'{key}-title'].strip()}”"
        return labels, {key for key, pk in on_file.items() if pk in found}

    def shown_number(self, key: str) -> int:
        """The number a row is shown with: a source on file is numbered as the case page numbers it ([n], public
        numbering, `public_source_numbers`); another row (a source described here, a charge) by its place."""
        return getattr(self, "source_numbers", {}).get(key) or row_number(key)

    @staticmethod
    def _case_on_file(detainee: Detainee):
        """The case's records by model and id, and the rows of the screen that show them: key → (record, initial)."""
        detentions = list(
            detainee.detentions.prefetch_related("sources", "charges__sources", "sentences__sources",
                                                 "sentences__charges", "transfers__sources", "extensions__sources",
                                                 "counsel__sources")
        )  # fmt: skip
        designations = list(detainee.designations.prefetch_related("sources"))
        facts = [detainee, *designations]
        for detention in detentions:
            facts += [detention, *detention.charges.all(), *detention.sentences.all(), *detention.transfers.all(),
                      *detention.extensions.all(), *detention.counsel.all()]  # fmt: skip
        cited = {}
        person_sources = list(detainee.sources.all())
        for fact in facts:
            for source in person_sources if fact is detainee else fact.sources.all():
                cited.setdefault(source.pk, f"src-{len(cited)}")
        loaded = {key: (None, {"on_file": pk}) for pk, key in cited.items()}
        on_file: dict = {}

        def row(key, record, **initial):
            on_file.setdefault(type(record), {})[record.pk] = record
            cites = record.sources.all()
            loaded[key] = (record, {"cites": [cited[s.pk] for s in cites],
                                    "loaded_cites": ",".join(str(s.pk) for s in cites), **initial})  # fmt: skip

        for i, detention in enumerate(detentions):
            row(f"det-{i}", detention)
            charges = {}
            for j, charge in enumerate(detention.charges.all()):
                charges[charge.pk] = f"det-{i}-charge-{j}"
                row(charges[charge.pk], charge)
            for j, sentence in enumerate(detention.sentences.all()):
                row(f"det-{i}-sentence-{j}", sentence, for_charges=[charges[c.pk] for c in sentence.charges.all()])
            for j, transfer in enumerate(detention.transfers.all()):
                row(f"det-{i}-transfer-{j}", transfer)
            for j, extension in enumerate(detention.extensions.all()):
                row(f"det-{i}-extension-{j}", extension)
            for j, counsel in enumerate(detention.counsel.all()):
                row(f"det-{i}-counsel-{j}", counsel)
        for i, designation in enumerate(designations):
            row(f"des-{i}", designation)
        # The person's row cites what the person cites (not every source of the case, as a new case's row does).
        loaded["person"] = {"cites": [cited[s.pk] for s in person_sources],
                            "loaded_cites": ",".join(str(s.pk) for s in person_sources)}  # fmt: skip
        return on_file, loaded

    def rows(self):
        yield "person", self.person
        yield from self.sources
        for block in self.detentions:
            yield block["key"], block["form"]
            for kind in FORMS:
                yield from block[kind]
        yield from self.designations

    def present(self, form) -> bool:
        return form is self.person or not form.is_blank()

    def is_valid(self) -> bool:
        valid = not self.top_errors
        needed = {key for key, form in self.rows() if self.present(form)}
        for block in self.detentions:  # a detention is needed as soon as anything is typed inside it
            children = [k for kind in FORMS for k, _form in block[kind]]
            block["present"] = bool(needed & {block["key"], *children})
            if block["present"]:
                needed.add(block["key"])
            for key, sentence in block["sentence"]:
                blank = {k for k, _form in block["charge"]} - needed
                for charge in self.data.getlist(f"{key}-for_charges") if key in needed else ():
                    if charge in blank:
                        sentence.add_error(None, _("Charge %(number)s is empty: fill it in or untick it.")
                                           % {"number": row_number(charge)})  # fmt: skip
                        valid = False
        for key, form in self.rows():
            if key in needed:
                valid = form.is_valid() and valid
            else:  # an empty row is skipped: never checked, never marked, never counted (whatever else is refused)
                form._errors, form.cleaned_data = ErrorDict(), {}
        self.needed = needed
        return valid

    def entries(self) -> dict:
        sources = {k: f.to_source() for k, f in self.sources if k in self.needed}
        records = []

        def add(key, form, parent=None):
            extra = {"charges": form.cleaned_data["for_charges"]} if "for_charges" in form.fields else {}
            records.append(CaseRecord(key=key, instance=form.instance, parent=parent, cites=form.cleaned_data["cites"],
                                      loaded=loaded_version(form), loaded_cites=form.cited_at_load(),
                                      delete=bool(form.cleaned_data.get("delete")), changed=form.facts_changed(),
                                      **extra))  # fmt: skip

        for block in self.detentions:
            if block["present"]:
                add(block["key"], block["form"])
                for kind in FORMS:
                    for key, form in block[kind]:
                        if key in self.needed:
                            add(key, form, parent=block["key"])
        for key, form in self.designations:
            if key in self.needed:
                add(key, form)
        person = CaseRecord(key="person", instance=self.person.instance, cites=self.person.cleaned_data["cites"],
                            loaded=loaded_version(self.person), loaded_cites=self.person.cited_at_load(),
                            changed=self.person.facts_changed())  # fmt: skip
        return {"person": person, "sources": sources, "records": records,
                "reason": self.person.cleaned_data.get("change_reason") or ""}  # fmt: skip

    @property
    def merge_conflicts(self) -> list:
        """Fields this editor and another both changed since the screen was loaded, for the side-by-side choice."""
        return [c for _, form in self.rows() for c in getattr(form, "merge_conflicts", [])]

    def show(self, error: ValidationError, key: str | None = None) -> None:
        """Put a refusal of the save beside the row it concerns (at the top when it concerns none)."""
        form = dict(self.rows()).get(key)
        if form is None:
            self.top_errors += error.messages
            return
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)

    def mark_unsourced(self, problems) -> list:
        """Mark each row that cites no source (a published case's refusal, common.integrity.UnsourcedFacts): the
        reason on its "Cites" boxes, where the editor ticks one. Returns the banner's lines, each linking to its row
        (h59: the row was named only in the banner)."""
        rows = {(form.instance._meta.label_lower, form.instance.pk): key for key, form in self.rows()
                if getattr(form, "instance", None) is not None and form.instance.pk is not None}  # fmt: skip
        lines = []
        for problem in problems:
            key = rows.get((problem.record_label, problem.record_id))
            if key is None:
                lines.append(problem.message)
                continue
            form = dict(self.rows())[key]
            error = _("This row cites no source: tick at least one source under “Cites”.")
            form.add_error("cites" if "cites" in form.fields else None, error)
            lines.append(format_html('<a href="#row-{}">{}</a>', key, problem.message))
        return lines

    @property
    def media(self):
        return self.person.media + SourceRowForm().media + DetentionRowForm().media + ADD_ANOTHER_MEDIA

    def blueprints(self) -> dict:
        """Empty rows for the browser to copy, keyed with placeholders it replaces (see case_entry.js): lower-case
        ones by the row's index, upper-case ones by the number an editor reads."""

        def blank(form_class, key, number):
            form = form_class(prefix=key)
            form.number = number
            return (key, form)

        detention = blank(DetentionRowForm, "det-__d__", "__D__")
        return {
            "source": blank(SourceRowForm, "src-__s__", "__S__"),
            "detention": {"key": detention[0], "form": detention[1], **{kind: [] for kind in FORMS}},
            "charge": blank(ChargeRowForm, "det-__d__-charge-__n__", "__N__"),
            "sentence": blank(SentenceRowForm, "det-__d__-sentence-__n__", "__N__"),
            "transfer": blank(TransferRowForm, "det-__d__-transfer-__n__", "__N__"),
            "extension": blank(ExtensionRowForm, "det-__d__-extension-__n__", "__N__"),
            "counsel": blank(CounselRowForm, "det-__d__-counsel-__n__", "__N__"),
            "designation": blank(DesignationRowForm, "des-__n__", "__N__"),
        }


def saved_message(case, user) -> str:
    """What the editor is told on the public page after saving a published case: saved, and, when review put the
    change in "To check" (common.review), that a second editor will check it."""
    from common import review

    queued = review.queued_for(case, user)
    if queued:
        return format_html(_("Saved “{}”: queued in “To check” for a second editor to check."), case.name)
    return format_html(_("Saved “{}”."), case.name)


def case_entry_view(request, pk: int | None = None):
    """A case on one screen: GET shows it (empty for a new case), POST saves it all or nothing."""
    detainee = get_object_or_404(Detainee, pk=pk) if pk is not None else None
    needed = [p.replace(".add_", ".change_") for p in PERMISSIONS] + PERMISSIONS if detainee else PERMISSIONS
    if not request.user.has_perms(needed):
        raise PermissionDenied
    screen = CaseScreen(request.POST if request.method == "POST" else None, detainee=detainee, request=request)
    if request.method == "POST" and screen.is_valid():
        try:
            saved = enter_case(**screen.entries())
        except RowInvalid as refusal:
            screen.show(refusal.error, refusal.key)
        except UnsourcedFacts as refusal:
            screen.top_errors += [REFUSAL_LEAD, *screen.mark_unsourced(refusal.problems)]
        except ValidationError as refusal:
            screen.show(refusal)
        else:
            model_admin = admin.site.get_model_admin(Detainee)
            if detainee is None:
                model_admin.log_addition(request, saved, [{"added": {}}])
            else:
                model_admin.log_change(request, saved, "Changed on the case-entry screen.")
            if saved.is_published:  # the case page is where the editor lands, told what became of the save
                messages.success(request, saved_message(saved, request.user))
                return redirect(saved.get_absolute_url())
            saved.refresh_from_db(fields=["awaiting_review"])
            if saved.awaiting_review:  # common.review: a second editor approves it first
                from .admin import awaiting_message

                messages.info(request, format_html("“{}”: {}", saved.name, awaiting_message(1)))
                return redirect("admin:detainees_detainee_change", saved.pk)
            messages.success(request, format_html(_("Saved “{}” as a draft."), saved.name))
            return redirect("admin:detainees_detainee_change", saved.pk)
    if request.method == "POST" and not screen.top_errors:  # a refusal must show where the eye lands: the top
        wrong = [key for key, form in screen.rows() if form.is_bound and form.errors]
        if wrong:
            screen.top_errors.append(
                ngettext(
                    "Not saved: %(count)d row to correct, marked in red below. Nothing was saved and everything you "
                    "typed is kept.",
                    "Not saved: %(count)d rows to correct, marked in red below. Nothing was saved and everything you "
                    "typed is kept.",
                    len(wrong),
                )
                % {"count": len(wrong)}
            )
    context = {
        **admin.site.each_context(request),
        "title": _("Edit the case of %(name)s") % {"name": detainee.name} if detainee else _("Add a case"),
        "detainee": detainee,
        "screen": screen,
        "media": screen.media,
        "blueprints": screen.blueprints(),
        "opts": Detainee._meta,
    }
    return TemplateResponse(request, "admin/detainees/case_entry.html", context)

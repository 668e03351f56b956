"""Editorial writes on cases: article intake, citing, publishing with checks, merging duplicates, entering a whole
case at once."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import F
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from common.integrity import Problem, checked_writes
from common.models import format_partial_date
from common.sql import rows_for_ids
from sources.models import Source

from .models import (
    Charge,
    Counsel,
    CustodyExtension,
    Designation,
    Detainee,
    Detention,
    MergedDetainee,
    Sentence,
    SentenceChange,
    Transfer,
)


@transaction.atomic
def intake_article(*, user=None, **fields) -> Source:
    """Record a pasted article as a Source (its text kept for staff only)."""
    source = Source(**fields)
    source.full_clean()
    source._change_reason = "Article intake"
    source.save()
    return source


def case_facts(detainee: Detainee, source: Source | None = None) -> list[dict]:
    """Every fact of a case an article can support, in the order of the case page: the person's identity line, each
    detention with its charges, sentences (and their changes) and transfers, each designation, and each exchange
    the person was part of. Each is {"key", "label", "obj", "cited"} — `cited` when it cites `source` already."""
    from exchanges.models import Exchange

    def label(words, obj) -> str:
        return words % {"fact": obj}

    facts: list[tuple[str, str, object]] = [("detainee", _("The person: identity, names, citizenship"), detainee)]
    detentions = detainee.detentions.prefetch_related(
        "charges", "sentences__changes", "transfers", "extensions", "counsel"
    )
    for detention in detentions:  # in Detention's order: a start no report dates last
        facts.append(("detention", _("Detention: held by %(holder)s from %(since)s") % {
            "holder": detention.holder_name or _("holder not on file"),
            "since": format_partial_date(detention.detained_on, detention.detained_on_precision, form="genitive")
            or _("a date unknown")},
            detention))  # fmt: skip
        facts += [("charge", label(_("Charge: %(fact)s"), charge), charge) for charge in detention.charges.all()]
        for sentence in detention.sentences.all():
            facts.append(("sentence", label(_("Sentence: %(fact)s"), sentence), sentence))
            facts += [("sentencechange", label(_("Sentence change: %(fact)s"), change), change)
                      for change in sentence.changes.all()]  # fmt: skip
        facts += [("transfer", label(_("Transfer: %(fact)s"), transfer), transfer)
                  for transfer in detention.transfers.all()]  # fmt: skip
        facts += [("custodyextension", label(_("Custody: %(fact)s"), e), e) for e in detention.extensions.all()]
        facts += [("counsel", label(_("Lawyer: %(fact)s"), c), c) for c in detention.counsel.all()]
    facts += [("designation", label(_("Designation: %(fact)s"), d), d)
              for d in detainee.designations.order_by("designated_on", "pk")]  # fmt: skip
    exchanges = Exchange.objects.filter(participants__detainee=detainee).distinct().order_by("date", "pk")
    facts += [("exchange", label(_("Exchange: %(fact)s"), exchange.name), exchange) for exchange in exchanges]
    cited: set[str] = set()
    if source is not None:
        for kind, _label, obj in facts:
            if obj.sources.filter(pk=source.pk).exists():
                cited.add(f"{kind}:{obj.pk}")
    return [
        {"key": f"{kind}:{obj.pk}", "label": label, "obj": obj, "cited": f"{kind}:{obj.pk}" in cited}
        for kind, label, obj in facts
    ]


@transaction.atomic
def cite_in_facts(*, source: Source, detainee: Detainee, keys: list[str]) -> list[str]:
    """Cite `source` in the chosen facts of one case (keys from `case_facts`); the labels of those newly cited.

    A key that is not a fact of this case is refused, naming it: a form cannot attach an article elsewhere."""
    facts = {fact["key"]: fact for fact in case_facts(detainee, source)}
    unknown = [key for key in keys if key not in facts]
    if unknown:
        raise ValidationError(_("Not a fact of %(name)s's case: %(facts)s.")
                              % {"name": detainee.name, "facts": ", ".join(unknown)})  # fmt: skip
    if not keys:
        raise ValidationError(_("Tick the facts this article supports."))
    added = []
    for key in dict.fromkeys(keys):
        fact = facts[key]
        if fact["cited"]:
            continue
        fact["obj"]._change_reason = f"Cited source #{source.pk} (article intake)"
        fact["obj"].sources.add(source)
        added.append(fact["label"])
    return added


@transaction.atomic
def cite_in_cases(*, source: Source, chosen: dict[int, list[str]]) -> list[tuple[Detainee, list[str]]]:
    """Cite `source` in the ticked facts of several cases at once (detainee id → keys from `case_facts`), all or
    nothing: each case with the labels of the facts newly cited. A case or fact not on file is refused, naming it."""
    people = Detainee.objects.in_bulk(list(chosen))
    missing = [str(pk) for pk in chosen if pk not in people]
    if missing:
        raise ValidationError(_("No case on file with id %(ids)s.") % {"ids": ", ".join(missing)})
    done = []
    for pk, keys in chosen.items():
        if keys:
            done.append((people[pk], cite_in_facts(source=source, detainee=people[pk], keys=keys)))
    if not done:
        raise ValidationError(_("Tick the facts this article supports."))
    return done


@transaction.atomic
def start_draft_case(*, name: str, source: Source) -> Detainee:
    """A draft case for a person an article names who is not on file, citing the article for who they are."""
    person = Detainee(name=name.strip(), is_published=False)
    person.full_clean()
    person._change_reason = "Article intake"
    person.save()
    person.sources.add(source)
    return person


CASE = "detainees.detainee"
UNSOURCED = [  # (model, path to the detainee, label an editor reads, in the editor's language)
    (Detention, "detainee", pgettext_lazy("unsourced record", "Detention")),
    (Charge, "detention__detainee", pgettext_lazy("unsourced record", "Charge")),
    (Sentence, "detention__detainee", pgettext_lazy("unsourced record", "Sentence")),
    (SentenceChange, "sentence__detention__detainee", pgettext_lazy("unsourced record", "Sentence change")),
    (Transfer, "detention__detainee", pgettext_lazy("unsourced record", "Transfer")),
    (Counsel, "detention__detainee", pgettext_lazy("unsourced record", "Lawyer")),
    (CustodyExtension, "detention__detainee", pgettext_lazy("unsourced record", "Custody extension")),
    (Designation, "detainee", pgettext_lazy("unsourced record", "Designation")),
]


def unsourced_facts(detainee_ids: set[int] | None, *, drafts_too: bool = False) -> list[Problem]:
    """Every unsourced fact of the published cases among `detainee_ids` (all published cases for None); a case
    awaiting review counts as published here (`under_the_sourcing_rule`).

    `drafts_too` applies the rule to drafts as well: what publishing them would need.

    The rule "published means sourced" for detainees, in seven queries whatever the number of cases; registered
    with `common.integrity`, which runs it at the end of every write.
    """
    everyone = Detainee.objects.all() if drafts_too else Detainee.objects.under_the_sourcing_rule()
    people = everyone if detainee_ids is None else everyone.filter(pk__in=detainee_ids)  # ids, or a queryset of ids
    if isinstance(detainee_ids, set | list | tuple) and len(detainee_ids) <= 16:  # a write's few cases: built once
        key, build = ("unsourced", drafts_too), lambda ids: _any_unsourced_query(everyone.filter(pk__in=ids))
        if not detainee_ids or not rows_for_ids(connections[people.db], key, build, detainee_ids):
            return []
    elif not _any_unsourced_query(people):  # the rule holds (every write that passes): one query, not seven
        return []
    problems = [
        Problem(CASE, pk, CASE, pk, gettext("%(name)s: the person's own record cites no source.") % {"name": name})
        for pk, name in people.filter(sources=None).values_list("pk", "name")
    ]
    for model, path, label in UNSOURCED:
        records = model.objects.filter(sources=None, **{f"{path}__in": people.values("pk")}).annotate(
            case_id=F(path), case_name=F(f"{path}__name")
        )
        for record in records.select_related("detainee") if model is Detention else records:
            message = gettext("%(name)s: %(kind)s “%(record)s” cites no source.")  # the name first: common.desk
            problems.append(Problem(CASE, record.case_id, model._meta.label_lower, record.pk,
                                    message % {"name": record.case_name, "kind": label, "record": record}))  # fmt: skip
    return problems


def _any_unsourced_query(people):
    """Whether any of these people, or any record of their cases, cites no source: the rule's seven questions as one
    UNION ALL, stopped at the first answer (a row if any)."""
    parts = [model.objects.filter(sources=None, **{f"{path}__in": people.values("pk")}).order_by().values_list("pk")
             for model, path, _label in UNSOURCED]  # fmt: skip
    return people.filter(sources=None).order_by().values_list("pk").union(*parts, all=True)[:1]


def publish_problems(detainee: Detainee, *, sources=None) -> list[str]:
    """What stops a case from being published: every fact in it must cite a source.

    `sources` stands in for the person's own citations when they are not saved yet (an API create).
    """
    problems = []
    own = sources if sources is not None else (list(detainee.sources.all()) if detainee.pk else [])
    if not own:
        problems.append(_("The person's own record cites no source."))
    if not detainee.pk:
        return problems
    facts = unsourced_facts({detainee.pk}, drafts_too=True)
    return problems + [p.message.split(": ", 1)[1] for p in facts if p.record_label != CASE]


@checked_writes()
def publish_detainee(*, detainee: Detainee) -> Detainee:
    """Publish a case, or refuse with the list of what is missing."""
    problems = publish_problems(detainee)
    if problems:
        raise ValidationError({"is_published": problems})
    if not detainee.is_published:
        detainee.is_published = True
        detainee._change_reason = "Published"
        detainee.save()
    return detainee


def likely_duplicates(*, name: str, name_original: str = "", aliases=(), born_on=None, born_on_precision: str = "day",
                      citizenships=(), exclude_pk: int | None = None, exclude_pks=()) -> list:
    """Detainees on file (drafts included: editors ask) who may be this person, best match first.

    The one matcher (`common.matching`) decides, at its duplicate-warning threshold: spellings and scripts of a name,
    optional middle names and patronymics, aliases, and birth date and citizenship as evidence for or against. The
    admin form, the API, the CSV import preview, the editors' desk and intake all ask here.
    """
    from common.matching import DUPLICATE_THRESHOLD, Record, find

    names = [n for n in [name, name_original, *(aliases or [])] if n and n.strip()]
    if not names:
        return []
    query = Record(names=names, born_on=born_on, born_on_precision=born_on_precision or "day",
                   citizenships=[getattr(c, "code", c) for c in citizenships or ()])  # fmt: skip
    people = Detainee.objects.exclude(pk__in=list(exclude_pks)) if exclude_pks else Detainee.objects.all()
    found = find(people, query, threshold=DUPLICATE_THRESHOLD, exclude_pk=exclude_pk)
    return [person for person, _match in found]


@checked_writes()
def merge_detainees(*, keep: Detainee, remove: Detainee) -> Detainee:
    """Fold `remove` into `keep`: custody, designations, exchanges, statements, citations, claims and names move;
    `remove` is deleted (its history stays, so the merge can be undone from the admin's history) and a
    `MergedDetainee` keeps its id and address answering with a permanent redirect to `keep`."""
    if keep.pk == remove.pk:
        raise ValidationError(_("Choose two different records to merge."))
    removed_id = remove.pk
    reason = f"Merged #{removed_id} ({remove.name}) into #{keep.pk}"
    for record in [*remove.detentions.all(), *remove.designations.all(), *remove.claims.all()]:
        if hasattr(record, "detainee_id"):
            record.detainee = keep
        else:
            record.object_id = keep.pk
        record._change_reason = reason
        record.save()
    for participation in remove.exchange_participations.all():
        if participation.exchange.participants.filter(detainee=keep).exists():
            participation._change_reason = reason
            participation.delete()  # the same person twice in one exchange: keep the surviving record's line
        else:
            participation.detainee = keep
            participation._change_reason = reason
            participation.save()
    for statement in remove.statements.all():
        statement.detainees.add(keep)
    keep.sources.add(*remove.sources.all())
    names = [*keep.aliases, *(n for n in [remove.name, *remove.aliases] if n and n != keep.name)]
    keep.aliases = list(dict.fromkeys(a for a in names if a != keep.name))
    keep.citizenships = sorted({c.code for c in keep.citizenships} | {c.code for c in remove.citizenships})
    for field in ("name_original", "description", "born_on"):
        if not getattr(keep, field) and getattr(remove, field):
            setattr(keep, field, getattr(remove, field))
            if field == "born_on":
                keep.born_on_precision = remove.born_on_precision
    wikidata = remove.wikidata_id
    # The removed id and address keep answering, with a redirect to `keep` (pages, API, CSV, dump, reconciliation);
    # records merged into `remove` before now follow it to `keep`.
    MergedDetainee.objects.filter(into=remove).update(into=keep)
    MergedDetainee.objects.filter(merged_id=removed_id).delete()  # restored from the deleted records, merged again
    MergedDetainee.objects.create(merged_id=removed_id, merged_slug=remove.slug, merged_name=remove.name,
                                  was_published=remove.is_published, into=keep)  # fmt: skip
    remove._change_reason = reason
    remove.delete()
    if not keep.wikidata_id and wikidata:
        keep.wikidata_id = wikidata
    keep.full_clean()
    keep._change_reason = reason
    keep.save()
    return keep


@dataclasses.dataclass
class CaseRecord:
    """One record of a case entered on the case-entry screen, new or on file, not saved yet.

    `key` names the row on the screen (errors go back to it); `parent` is the key of the detention it belongs to
    (None: it belongs to the person); `cites` are keys of source rows; `charges` (sentences) keys of charge rows.
    A record on file carries the version the editor `loaded`, whether its fields `changed`, and may be deleted.
    """

    key: str
    instance: object
    parent: str | None = None
    cites: list[str] = dataclasses.field(default_factory=list)
    charges: list[str] = dataclasses.field(default_factory=list)
    loaded: str = ""
    loaded_cites: set[int] | None = None  # the source ids it cited when loaded: citations merge three ways
    changed: bool = True
    delete: bool = False


class RowInvalid(ValidationError):
    """A record of the case failed its model's checks once linked to the others; `key` names its row."""

    def __init__(self, key: str, error: ValidationError):
        self.key, self.error = key, error
        super().__init__(error.messages)


def enter_case(
    *, person: CaseRecord, sources: dict[str, Source], records: list[CaseRecord], reason: str = ""
) -> Detainee:
    """Save a whole case at once: the person, new sources, detentions with their charges, sentences and transfers,
    and designations, each citing the sources its row names, in one transaction. Records on file are changed (or
    deleted) only after claiming the version the editor loaded, as every admin save does.

    Records come parents first. Every record saved is `full_clean()`ed once linked to its parent (so "a charge
    cannot come before the detention" is checked too); a failure raises `RowInvalid` naming the row. The
    `checked_writes()` block refuses a published case with an unsourced fact (`UnsourcedFacts`); either way nothing
    is saved.
    """
    with checked_writes():  # a block of its own per call (a decorator's would be shared by concurrent requests)
        return _enter_case(person=person, sources=sources, records=records, reason=reason)


def _enter_case(*, person, sources, records, reason) -> Detainee:
    saved_sources = {}
    for key, source in sources.items():
        if source.pk is None:
            _save_row(CaseRecord(key=key, instance=source), reason)
        saved_sources[key] = source
    detainee = person.instance
    _save_row(person, reason, sources=[saved_sources[k] for k in person.cites if k in saved_sources])
    saved: dict[str, object] = {}
    deleted: set[str] = set()
    for record in records:
        obj = record.instance
        if record.parent in deleted:
            deleted.add(record.key)  # gone with its detention
            continue
        if record.delete:
            _claim(record)
            obj._change_reason = reason or "Deleted on the case-entry screen"
            obj.delete()
            deleted.add(record.key)
            continue
        if isinstance(obj, Detention | Designation):
            obj.detainee = detainee
        else:
            obj.detention = saved[record.parent]
        charges = [saved[k] for k in record.charges if k in saved] if isinstance(obj, Sentence) else None
        _save_row(record, reason, sources=[saved_sources[k] for k in record.cites if k in saved_sources],
                  charges=charges)  # fmt: skip
        saved[record.key] = obj
    return detainee


def _merged_citations(obj, loaded: set[int], yours: list) -> list:
    """A three-way merge of a record's citations: what it cites now (another editor may have added or removed some
    since the screen was loaded), plus the sources this editor ticked, minus those they unticked — against what it
    cited when loaded. A citation only the other editor added is kept; one only they removed stays removed."""
    from sources.models import Source

    now = set(obj.sources.values_list("pk", flat=True))
    mine = {s.pk for s in yours}
    merged = (now - (loaded - mine)) | (mine - loaded)
    if merged == mine:
        return yours
    return list(Source.objects.filter(pk__in=merged).order_by("pk"))


def _claim(record: CaseRecord) -> None:
    from common.admin import claim_version

    try:
        claim_version(record.instance, record.loaded)
    except ValidationError as error:
        raise RowInvalid(record.key, error) from None


def _save_row(record: CaseRecord, reason: str, sources=None, charges=None) -> None:
    """Save one record and its citations (and a sentence's charges), unless nothing of it changed."""
    obj = record.instance
    on_file = obj.pk is not None
    if on_file and sources is not None and record.loaded_cites is not None:
        sources = _merged_citations(obj, record.loaded_cites, sources)
    new_sources = sources is not None and (not on_file or set(obj.sources.all()) != set(sources))
    new_charges = charges is not None and (not on_file or set(obj.charges.all()) != set(charges))
    if on_file and not (record.changed or new_sources or new_charges):
        return
    if on_file:
        _claim(record)
    try:  # what a ModelForm checks: every field but the derived ones (slug, search key)
        obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])
        if charges is not None:
            obj.validate_charges(charges)
    except ValidationError as error:
        raise RowInvalid(record.key, error) from None
    if reason:
        obj._change_reason = reason
    obj.save()
    if new_sources:
        obj.sources.set(sources)
    if new_charges:
        obj.charges.set(charges)

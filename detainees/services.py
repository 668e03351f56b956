"""Editorial writes on cases: article intake, citing, publishing with checks, merging duplicates."""

from django.core.exceptions import ValidationError
from django.db import transaction

from sources.models import Source

from .models import Charge, Designation, Detainee, Detention, Sentence, SentenceChange, Transfer


@transaction.atomic
def intake_article(*, user=None, **fields) -> Source:
    """Record a pasted article as a Source (its text kept for staff only)."""
    source = Source(**fields)
    source.full_clean()
    source._change_reason = "Article intake"
    source.save()
    return source


@transaction.atomic
def cite_in_case(*, source: Source, detainee: Detainee) -> bool:
    """Add `source` to the case's own citations; False when it was cited already."""
    if detainee.sources.filter(pk=source.pk).exists():
        return False
    detainee._change_reason = f"Cited source #{source.pk} (article intake)"
    detainee.sources.add(source)
    return True


def publish_problems(detainee: Detainee, *, sources=None) -> list[str]:
    """What stops a case from being published: every fact in it must cite a source.

    `sources` stands in for the person's own citations when they are not saved yet (an API create).
    """
    problems = []
    own = sources if sources is not None else (list(detainee.sources.all()) if detainee.pk else [])
    if not own:
        problems.append("The person's own record cites no source.")
    if not detainee.pk:
        return problems
    unsourced = [
        (Detention.objects.filter(detainee=detainee), "Detention"),
        (Charge.objects.filter(detention__detainee=detainee).select_related("detention"), "Charge"),
        (Sentence.objects.filter(detention__detainee=detainee), "Sentence"),
        (SentenceChange.objects.filter(sentence__detention__detainee=detainee), "Sentence change"),
        (Transfer.objects.filter(detention__detainee=detainee), "Transfer"),
        (Designation.objects.filter(detainee=detainee), "Designation"),
    ]
    for queryset, label in unsourced:
        for record in queryset.filter(sources=None):
            problems.append(f"{label} “{record}” cites no source.")
    return problems


@transaction.atomic
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

"""Published means sourced: one rule, checked at the end of every write that touches a published case.

A *case* is a record the public sees as a whole: a detainee with everything recorded about them, or an exchange.
Each app registers, for its case model, a `rule` that lists the unsourced facts of published cases, and for every
record inside a case, how to find the case (`register_record`). Signals note every record saved or re-cited, and
every source deleted, inside a `checked_writes()` block; when the block ends, the cases those records belong to are
checked with their rule, and any unsourced fact in a published case rolls the whole block back with
`UnsourcedFacts`, a `ValidationError` listing what is missing.

Every path that writes runs inside such a block: each HTTP request that may write (`CheckedWritesMiddleware`, the
net under everything), the admin's form saves (which turn the refusal into a form error, the editor's input kept),
the API's writes (a 400 naming the field), and the services and commands (merges, imports, the demo loader).
Code that writes outside those paths (a new command, a shell session) must open a block itself;
`verify(None)` lists every published case's unsourced facts, and a test keeps it empty over every path.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Callable, Iterable
from contextlib import ContextDecorator

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete


@dataclasses.dataclass(frozen=True)
class Problem:
    """One unsourced fact: the record (model label and id) and what an editor reads."""

    case_label: str
    case_id: int
    record_label: str
    record_id: int | None
    message: str


class UnsourcedFacts(ValidationError):
    """A write that would leave a published case with an unsourced fact; nothing of it was saved."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__({"sources": [p.message for p in problems]})

    def concerns(self, obj) -> bool:
        """Whether `obj` itself is one of the unsourced records."""
        label = obj._meta.label_lower
        return any(p.record_label == label and p.record_id == obj.pk for p in self.problems)


# case label → rule(case ids, or None for every published case) → problems of the published ones among them
RULES: dict[str, Callable[[set[int] | None], list[Problem]]] = {}
# record label → (case label, function(record ids) → case ids)
RECORDS: dict[str, tuple[str, Callable[[set[int]], Iterable[int]]]] = {}
_block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar("checked_writes_block", default=None)


def register_case(model, rule: Callable[[set[int] | None], list[Problem]]) -> None:
    """`model` is a case; `rule` lists the unsourced facts of its published records among the ids given."""
    label = model._meta.label_lower
    RULES[label] = rule
    RECORDS[label] = (label, lambda ids: ids)
    _connect(model)


def register_record(model, case_model, path: str) -> None:
    """`model`'s records belong to the `case_model` reached by `path` ("detention__detainee")."""
    manager = model._default_manager

    def cases_of(ids: set[int]) -> Iterable[int]:
        return manager.filter(pk__in=ids).values_list(path, flat=True)

    RECORDS[model._meta.label_lower] = (case_model._meta.label_lower, cases_of)
    _connect(model)


def _connect(model) -> None:
    post_save.connect(_saved, sender=model, dispatch_uid=f"integrity-save-{model._meta.label_lower}")
    sources = next((f for f in model._meta.many_to_many if f.name == "sources"), None)
    if sources is not None:
        m2m_changed.connect(
            _recited, sender=sources.remote_field.through, dispatch_uid=f"integrity-m2m-{model._meta.label_lower}"
        )


class _Block(ContextDecorator):
    """What `checked_writes()` returns: an atomic block that checks the cases it touched when it ends."""

    def __init__(self, everything: bool = False):
        self.everything = everything

    def _recreate_cm(self):
        """As a decorator, a new block for each call: one shared object would mix the state of calls running at
        once in threads, or of a decorated function that calls itself."""
        return _Block(everything=self.everything)

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.outer = _block.get()
        self.touched: dict[str, set[int]] = {}
        self.token = _block.set(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        _block.reset(self.token)
        try:
            if exc_type is None:
                problems = verify(None if self.everything else self.touched)
                if problems:
                    raise UnsourcedFacts(problems)
                if self.outer is not None:  # the outer block checks these again when it ends
                    self.outer.everything |= self.everything
                    for label, ids in self.touched.items():
                        self.outer.touched.setdefault(label, set()).update(ids)
        except BaseException as error:
            if not self.atomic.__exit__(type(error), error, error.__traceback__):
                raise
            return False
        return self.atomic.__exit__(exc_type, exc, tb)

    def touch(self, label: str, ids: Iterable[int]) -> None:
        if not self.everything:
            self.touched.setdefault(label, set()).update(i for i in ids if i is not None)


def checked_writes(*, everything: bool = False) -> _Block:
    """A transaction in which no published case may end up with an unsourced fact.

    As a context manager or a decorator. `everything=True` (bulk loaders) skips noting each record and checks every
    published case once at the end, in a few set-wise queries.
    """
    return _Block(everything=everything)


def check_now() -> None:
    """Check what the innermost block has touched so far, and raise before anything else happens (the admin calls
    this before it writes its log entry and its "saved" message)."""
    block = _block.get()
    if block is not None:
        problems = verify(None if block.everything else block.touched)
        if problems:
            raise UnsourcedFacts(problems)


def verify(touched: dict | None) -> list[Problem]:
    """The unsourced facts of the published cases these records belong to (of every published case for None).

    `touched` maps a model label to a set of record ids; a case label may also map to a queryset of case ids
    (bulk loaders), checked as a subquery."""
    if touched is None:
        return [p for rule in RULES.values() for p in rule(None)]
    problems = []
    for case_label in RULES:
        ids = touched.get(case_label)
        if ids is not None and not isinstance(ids, set | list | tuple):  # a queryset of ids, from a bulk load
            problems += RULES[case_label](ids)
            continue
        cases = set(ids or ())
        for label, records in touched.items():
            if records and label != case_label and RECORDS.get(label, (None,))[0] == case_label:
                cases.update(c for c in RECORDS[label][1](records) if c is not None)
        if cases:
            problems += RULES[case_label](cases)
    return problems


def _note(label: str, ids: Iterable[int]) -> None:
    block = _block.get()
    if block is not None:
        block.touch(label, ids)


def _saved(sender, instance, raw=False, **kwargs):
    if not raw:  # raw loads (fixtures, dataset imports) check everything once at the end
        _note(sender._meta.label_lower, [instance.pk])


def _recited(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:  # record.sources.add/remove/clear/set
        if action != "pre_clear":
            _note(instance._meta.label_lower, [instance.pk])
    elif action == "pre_clear":  # source.cited_x.clear(): the records that lose it
        _note(
            model._meta.label_lower, sender.objects.filter(source=instance).values_list(_own_column(sender), flat=True)
        )
    elif action != "post_clear":
        _note(model._meta.label_lower, pk_set or ())


def _own_column(through) -> str:
    return next(
        f.attname for f in through._meta.fields if f.is_relation and f.related_model._meta.model_name != "source"
    )


def source_deleted(sender, instance, **kwargs):
    """A deleted source takes its citations with it: note every record that cited it."""
    for field in [f for f in sender._meta.related_objects if f.many_to_many and f.name.startswith("cited_")]:
        model = field.related_model
        _note(model._meta.label_lower, getattr(instance, field.get_accessor_name()).values_list("pk", flat=True))


def connect_source_deletion() -> None:
    pre_delete.connect(source_deleted, sender=apps.get_model("sources", "Source"), dispatch_uid="integrity-source-del")

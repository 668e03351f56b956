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

**Overlapping writes.** A check at the end of a transaction holds only if no other transaction can change what it
read before this one commits (write skew: two requests each delete one of a fact's two sources, each sees the
other's still there). So the check and the write are one serialized step: inside a block, every write that can
affect a case first takes that case's row lock (`SELECT … FOR NO KEY UPDATE`, held until commit) — before a record
of it is saved, before its citations change, before a source it cites is deleted (`lock_cases`) — and the check at
the end locks every case it is about to read before reading it. Two writes to one case therefore check one after
the other, the second seeing what the first committed (PostgreSQL's READ COMMITTED reads afresh per statement), and
the second is refused if the first made its write unsafe. Locks are taken in one global order: cases before shared
records (the sources cited, locked `FOR KEY SHARE` so a source cannot vanish under a new citation), cases by kind
(`lock_rank`) and then id; a write that finds its cases one by one (a merge) takes each when it reaches it. SQLite
serializes writers with its database lock, so there the same code runs and only the `FOR …` clause is skipped.
`lock_record()` is the same lock for a compare-and-write (the API's `If-Match`).
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Callable, Iterable
from contextlib import ContextDecorator

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
# record label → function(unsaved or moved record) → its case id as the instance says, before it is written
CASE_OF_INSTANCE: dict[str, Callable[[object], int | None]] = {}
# case label → its place in the lock order (lower first)
LOCK_RANK: dict[str, int] = {}
# record label → (case label, path from the record to its case: "detention__detainee"; the case itself: "")
PATHS: dict[str, tuple[str, str]] = {}
# record label → the record's own column naming its case, where the path is one step ("detainee" → "detainee_id")
OWN_CASE_COLUMN: dict[str, str] = {}
# Called when an outermost block's check has passed, inside its transaction: hook(block, cases touched). Review
# (common.review) queues the changes to published cases here, on the same note of what each write touched.
AFTER_CHECK: list[Callable[[_Block, dict], None]] = []
SOURCE = "sources.source"
_block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar("checked_writes_block", default=None)


def register_case(model, rule: Callable[[set[int] | None], list[Problem]], *, lock_rank: int = 0) -> None:
    """`model` is a case; `rule` lists the unsourced facts of its published records among the ids given.

    `lock_rank` places its rows in the global lock order (lower first): a kind of case whose writes touch another
    kind's rows (saving an exchange moves its participants' cases) locks before it."""
    label = model._meta.label_lower
    RULES[label] = rule
    RECORDS[label] = (label, lambda ids: ids)
    CASE_OF_INSTANCE[label] = lambda instance: instance.pk
    LOCK_RANK[label] = lock_rank
    PATHS[label] = (label, "")
    _connect(model)


def register_record(model, case_model, path: str) -> None:
    """`model`'s records belong to the `case_model` reached by `path` ("detention__detainee")."""
    manager = model._default_manager
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)

    def cases_of(ids: set[int]) -> Iterable[int]:
        return manager.filter(pk__in=ids).values_list(path, flat=True)

    def case_of_instance(instance) -> int | None:
        value = getattr(instance, field.attname)
        if value is None or not rest:
            return value
        if "__" not in rest and field.is_cached(instance):  # the record it points to, held: its own column says
            held = field.get_cached_value(instance)
            if held is not None and held.pk == value:
                return getattr(held, held._meta.get_field(rest).attname)
        return field.related_model._default_manager.filter(pk=value).values_list(rest, flat=True).first()

    RECORDS[model._meta.label_lower] = (case_model._meta.label_lower, cases_of)
    PATHS[model._meta.label_lower] = (case_model._meta.label_lower, path)
    if not rest:
        OWN_CASE_COLUMN[model._meta.label_lower] = field.attname
    CASE_OF_INSTANCE[model._meta.label_lower] = case_of_instance
    _connect(model)


def _connect(model) -> None:
    post_save.connect(_saved, sender=model, dispatch_uid=f"integrity-save-{model._meta.label_lower}")
    pre_save.connect(_saving, sender=model, dispatch_uid=f"integrity-lock-{model._meta.label_lower}")
    sources = next((f for f in model._meta.many_to_many if f.name == "sources"), None)
    if sources is not None:
        m2m_changed.connect(
            _recited, sender=sources.remote_field.through, dispatch_uid=f"integrity-m2m-{model._meta.label_lower}"
        )


class _Block(ContextDecorator):
    """What `checked_writes()` returns: an atomic block that checks the cases it touched when it ends."""

    def __init__(self, everything: bool = False, savepoint: bool = True):
        self.everything = everything
        self.savepoint = savepoint

    def _recreate_cm(self):
        """As a decorator, a new block for each call: one shared object would mix the state of calls running at
        once in threads, or of a decorated function that calls itself."""
        return _Block(everything=self.everything, savepoint=self.savepoint)

    def __enter__(self):
        self.atomic = transaction.atomic(savepoint=self.savepoint)
        self.atomic.__enter__()
        self.outer = _block.get()
        self.started_at = timezone.now()
        self.touched: dict[str, set[int]] = {}  # every record written inside (the review queue reads them all)
        self.unchecked: dict[str, set[int]] = {}  # those no inner block has checked since they were written
        # The cases of everything in `touched`, when a check has found them and nothing was written since (the
        # review queue's hook then needs no query of its own to find them again); None when unknown.
        self.cases: dict | None = None
        # (case label, id) locked inside this block → the connection's count of savepoints rolled back when it was
        # locked: a savepoint rolled back since may have released the lock (`holds`)
        self.locked: dict[tuple[str, int], tuple[str, int]] = {}
        # (record label, id) → (its case ids, connection, savepoints rolled back then): the cases a record saved in
        # this block belongs to, as the database said after its save (`remember_cases`), so that the check need not
        # ask again; forgotten when the record is saved anew, and unused once a savepoint was rolled back since
        self.known: dict[tuple[str, int], tuple[set[int], str, int]] = {}
        # (case label, id) → its row's values as read under its lock (`read_locked`), until the case is saved
        self.read: dict[tuple[str, int], dict] = {}
        self.token = _block.set(self)
        return self

    def __exit__(self, exc_type, exc, tb):
        _block.reset(self.token)
        try:
            if exc_type is None and transaction.get_connection().needs_rollback:
                pass  # an inner block without a savepoint failed: the transaction will be undone, nothing to check
            elif exc_type is None:
                problems = _check(self)
                if problems:
                    raise UnsourcedFacts(problems)
                if self.outer is None and not self.everything:
                    cases = self.cases if self.cases is not None else cases_touched(self.touched, self)
                    for hook in AFTER_CHECK:
                        hook(self, cases)
                if self.outer is not None:
                    # Checked here, and locked until the outer transaction ends, so the outer block need not read
                    # these cases again (a write checked once, not twice: the API's block inside the request's);
                    # whatever is written after this block is noted in the outer one's `unchecked` and checked there.
                    self.outer.everything |= self.everything
                    self.outer.cases = self.cases if not self.outer.touched else None
                    for label, ids in self.touched.items():
                        self.outer.touched.setdefault(label, set()).update(ids)
                    self.outer.locked.update(self.locked)  # held until the outer transaction ends
                    self.outer.known.update(self.known)
                    self.outer.read.update(self.read)
        except BaseException as error:
            if not self.atomic.__exit__(type(error), error, error.__traceback__):
                raise
            return False
        return self.atomic.__exit__(exc_type, exc, tb)

    def touch(self, label: str, ids: Iterable[int]) -> None:
        if not self.everything:
            ids = {i for i in ids if i is not None}
            self.touched.setdefault(label, set()).update(ids)
            self.unchecked.setdefault(label, set()).update(ids)
            self.cases = None

    def known_cases(self, label: str, pk: int) -> set[int] | None:
        """The cases this record belongs to as the database said after its last save in this block (or one around
        it), or None when unknown or possibly undone (a savepoint rolled back since)."""
        block = self
        while block is not None:
            known = block.known.get((label, pk))
            if known is not None:
                cases, using, rollbacks = known
                return cases if rollbacks == savepoints_rolled_back(using) else None
            block = block.outer
        return None

    def forget_cases(self, label: str, pk: int) -> None:
        block = self
        while block is not None:
            block.known.pop((label, pk), None)
            block = block.outer

    def values_read(self, key: tuple[str, int]) -> dict | None:
        """The case's values as read under the lock this block (or one around it) holds, or None."""
        block = self
        while block is not None:
            if key in block.read:
                return block.read[key]
            block = block.outer
        return None

    def forget_read(self, key: tuple[str, int]) -> None:
        block = self
        while block is not None:
            block.read.pop(key, None)
            block = block.outer

    def holds(self, key: tuple[str, int]) -> bool:
        """Whether this block or one around it has locked this case and still holds the lock: no savepoint was
        rolled back on that connection since (rolling one back releases the row locks taken after it was set; which
        savepoint it was is not recorded, so any rollback counts). A block that failed took its locks with it: its
        savepoint was rolled back, and its locks were not passed on."""
        block = self
        while block is not None:
            taken = block.locked.get(key)
            if taken is not None and taken[1] == savepoints_rolled_back(taken[0]):
                return True
            block = block.outer
        return False


def checked_writes(*, everything: bool = False, savepoint: bool = True) -> _Block:
    """A transaction in which no published case may end up with an unsourced fact.

    As a context manager or a decorator. `everything=True` (bulk loaders) skips noting each record and checks every
    published case once at the end, in a few set-wise queries.

    `savepoint=False`, inside another block, sends no SAVEPOINT: when it fails, the whole transaction is to be
    rolled back (Django marks it so; no query runs in it any more) and the blocks around it end without checking.
    For a caller that answers a failure without touching the database again (the API's writes: a 400 or a 412).
    """
    return _Block(everything=everything, savepoint=savepoint)


def outermost_block() -> _Block | None:
    """The block around every other one now open (the request's, usually), or None outside any."""
    block = _block.get()
    while block is not None and block.outer is not None:
        block = block.outer
    return block


def check_now() -> None:
    """Check what the innermost block has touched so far, and raise before anything else happens (the admin calls
    this before it writes its log entry and its "saved" message)."""
    block = _block.get()
    if block is not None:
        problems = _check(block)
        if problems:
            raise UnsourcedFacts(problems)


def _check(block: _Block) -> list[Problem]:
    """The block's check: lock the cases it touched (those not locked yet), then read them."""
    if block.everything:  # bulk loaders (an import into an empty database, the demo cases): every published case
        return verify(None)
    cases = cases_touched(block.unchecked, block)
    # The check must never read unlocked. A case locked earlier in the block is still locked unless a savepoint was
    # rolled back since (a retried save, a refused inner block), which may have released it: `holds` knows, and those
    # are locked again; the others are not asked twice.
    # (The block is named: when it ends it is no longer the one open, and the outermost one would lock nothing.)
    lock_cases({label: ids for label, ids in cases.items() if isinstance(ids, set)}, block=block)
    problems = _run_rules(cases)
    if not problems:  # read under their locks, held to the end: what is written later is noted anew
        if block.unchecked == block.touched:
            block.cases = cases
        block.unchecked = {}
    return problems


def verify(touched: dict | None) -> list[Problem]:
    """The unsourced facts of the published cases these records belong to (of every published case for None).

    `touched` maps a model label to a set of record ids; a case label may also map to a queryset of case ids
    (bulk loaders), checked as a subquery."""
    if touched is None:
        return [p for rule in RULES.values() for p in rule(None)]
    return _run_rules(cases_touched(touched))


def cases_touched(touched: dict, block: _Block | None = None) -> dict[str, set[int] | object]:
    """case label → the ids of the cases these records belong to (or the bulk loader's queryset of ids); those of
    records whose cases the block knows already (`_Block.known_cases`) without asking the database."""
    found: dict[str, set[int] | object] = {}
    for case_label in RULES:
        ids = touched.get(case_label)
        if ids is not None and not isinstance(ids, set | list | tuple):  # a queryset of ids, from a bulk load
            found[case_label] = ids
            continue
        cases = set(ids or ())
        for label, records in touched.items():
            if records and label != case_label and RECORDS.get(label, (None,))[0] == case_label:
                unknown = records
                if block is not None:
                    unknown = set()
                    for record in records:
                        known = block.known_cases(label, record)
                        if known is None:
                            unknown.add(record)
                        else:
                            cases.update(known)
                if unknown:
                    cases.update(c for c in RECORDS[label][1](unknown) if c is not None)
        if cases:
            found[case_label] = cases
    return found


def _run_rules(cases: dict) -> list[Problem]:
    return [p for case_label, ids in cases.items() for p in RULES[case_label](ids)]


def lock_cases(cases: dict[str, Iterable[int]], *, again: bool = False, block: _Block | None = None) -> None:
    """Lock these cases' rows until the transaction ends (`FOR NO KEY UPDATE`), in the global order: by kind
    (`lock_rank`), then by id. Inside a `checked_writes()` block only (outside one no rule is checked); a case the
    block still holds (`holds`) costs nothing, unless `again`. On SQLite (no row locks; writers take turns) nothing
    is sent."""
    block = block or _block.get()
    if block is None or block.everything:
        return
    for label in sorted(cases, key=lambda label: (LOCK_RANK.get(label, 0), label)):
        ids = sorted({int(i) for i in cases[label] if i is not None})
        ids = ids if again else [i for i in ids if not block.holds((label, i))]
        if not ids:
            continue
        model = apps.get_model(label)
        using = router.db_for_write(model)
        count_rollbacks(using)  # before the lock: every rollback after it is counted
        connection = connections[using]
        if connection.features.has_select_for_update:  # a statement written once, not a queryset compiled per write
            qn, marks = connection.ops.quote_name, ", ".join(["%s"] * len(ids))
            table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} IN ({marks}) ORDER BY {pk} FOR NO KEY UPDATE", ids)
                cursor.fetchall()
        taken = (using, savepoints_rolled_back(using))
        block.locked.update(((label, i), taken) for i in ids)


NOT_READ = object()


def lock_and_read(case, field: str):
    """Lock this case as `lock_cases` does and read one field of its row in the same statement: the value the locked
    row holds (None when there is no row), or `NOT_READ` when nothing was sent — no block is open, or the block holds
    the lock already — and the caller reads it itself. The review reads whether a case was public this way, before
    its save (`common.review`): one statement where a lock and a read were two."""
    block = _block.get()
    label = case._meta.label_lower
    if block is None or block.everything or label not in RULES or case.pk is None:
        return NOT_READ
    if block.holds((label, case.pk)):  # read with its lock already (`read_locked`), or the caller reads it
        values = block.values_read((label, case.pk))
        return values[field] if values is not None and field in values else NOT_READ
    model = apps.get_model(label)
    using = router.db_for_write(model)
    count_rollbacks(using)  # before the lock: every rollback after it is counted
    rows = model._base_manager.using(using).filter(pk=case.pk).order_by()
    if connections[using].features.has_select_for_update:
        rows = rows.select_for_update(no_key=True)
    found = list(rows.values_list(field, flat=True))
    block.locked[(label, case.pk)] = (using, savepoints_rolled_back(using))
    return found[0] if found else None


def lock_on_read(queryset):
    """`queryset`, reading cases, made to lock the rows it reads as `lock_cases` does (on PostgreSQL, inside a block):
    a write reads the case it is about to change and locks it in one statement. Pass what it read to `read_locked`.
    Only as a write's first lock (the global order: a case before anything shared), and for one case."""
    block = _block.get()
    if block is None or block.everything or queryset.model._meta.label_lower not in RULES:
        return queryset
    if connections[queryset.db].features.has_select_for_update:
        queryset = queryset.select_for_update(no_key=True)
    return queryset


def lock_case_on_read(queryset):
    """`queryset`, reading one record of a case (a charge's detention, a detention's person), made to lock the row
    of the case it belongs to as `lock_cases` does (on PostgreSQL, inside a block): a new record's parent is read by
    its validation and its case locked in that statement, where the save's own lock was a statement of its own. Pass
    what it read to `read_case_locked`. The case itself (`lock_on_read`) or a record one step from it, whose row names
    its case: the lock is an `EXISTS (… FOR NO KEY UPDATE)` on that id, written once (a `select_related` join with
    `FOR … OF` cost more Python to compile each time than the statement it saves). As `lock_on_read`: only as a
    write's first lock (the global order: a case before anything shared), and for one case."""
    block = _block.get()
    label = queryset.model._meta.label_lower
    case_label = PATHS.get(label, (None, ""))[0]
    if block is None or block.everything or case_label not in RULES:
        return queryset
    if case_label == label:
        return lock_on_read(queryset)
    column = OWN_CASE_COLUMN.get(label)
    connection = connections[queryset.db]
    if column is None or not connection.features.has_select_for_update:
        return queryset
    key = (label, connection.vendor)
    where = _CASE_LOCKS.get(key)
    if where is None:
        qn, model = connection.ops.quote_name, queryset.model
        case_model = apps.get_model(case_label)
        own = f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(column).column)}"
        case, pk = qn(case_model._meta.db_table), qn(case_model._meta.pk.column)
        where = _CASE_LOCKS.setdefault(
            key, f"EXISTS (SELECT 1 FROM {case} WHERE {case}.{pk} = {own} FOR NO KEY UPDATE)"
        )
    return queryset.extra(where=[where])


_CASE_LOCKS: dict[tuple[str, str], str] = {}


def read_case_locked(record) -> None:
    """`record` was read by a `lock_case_on_read` queryset in this block: the row of its case is locked until the
    transaction ends, and no lock is sent for it again."""
    block = _block.get()
    label = record._meta.label_lower
    case_label = PATHS.get(label, (None, ""))[0]
    if block is None or block.everything or case_label not in RULES or record.pk is None:
        return
    if case_label == label:
        read_locked(record)
        return
    column = OWN_CASE_COLUMN.get(label)
    using = record._state.db or router.db_for_read(type(record))
    if column is None or getattr(record, column) is None or not connections[using].features.has_select_for_update:
        return
    count_rollbacks(using)  # right after the lock: no savepoint was rolled back between
    block.locked[(case_label, getattr(record, column))] = (using, savepoints_rolled_back(using))


def read_locked(case) -> None:
    """`case` was read by a `lock_on_read` queryset in this block: its row is locked until the transaction ends (no
    lock is sent again), and its values as read answer `lock_and_read` until it is saved."""
    block = _block.get()
    label = case._meta.label_lower
    if block is None or block.everything or label not in RULES or case.pk is None:
        return
    using = case._state.db or router.db_for_write(type(case))
    count_rollbacks(using)  # right after the lock: no savepoint was rolled back between
    block.locked[(label, case.pk)] = (using, savepoints_rolled_back(using))
    block.read[(label, case.pk)] = {f.attname: getattr(case, f.attname) for f in case._meta.concrete_fields}


def _rollback_counter(execute, sql, params, many, context):
    """An execute wrapper: counts the savepoints rolled back on its connection (whichever code rolls them back:
    Django's `atomic`, `savepoint_rollback`, or SQL of its own)."""
    if isinstance(sql, str) and sql.lstrip()[:21].upper() == "ROLLBACK TO SAVEPOINT":
        connection = context["connection"]
        connection.savepoints_rolled_back = getattr(connection, "savepoints_rolled_back", 0) + 1
    return execute(sql, params, many, context)


def count_rollbacks(using: str) -> None:
    """Count the savepoints rolled back on this connection from now on (installed once; first in the list of
    wrappers, so that `connection.execute_wrapper()` blocks, which pop the last one, leave it in place)."""
    wrappers = connections[using].execute_wrappers
    if _rollback_counter not in wrappers:
        wrappers.insert(0, _rollback_counter)


def savepoints_rolled_back(using: str) -> int:
    """How many savepoints were rolled back on this connection since `count_rollbacks` (the per-statement cost of
    knowing whether a row lock taken earlier is still held)."""
    return getattr(connections[using], "savepoints_rolled_back", 0)


def lock_sources(ids: Iterable[int], *, using: str | None = None) -> None:
    """Hold the sources about to be cited (`FOR KEY SHARE`, after the cases: the global order) so that none is
    deleted before the citation commits; one deleted meanwhile refuses the write, naming it, instead of failing at
    commit on the foreign key."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return
    model = apps.get_model(SOURCE)
    using = using or router.db_for_write(model)
    connection = connections[using]
    table, pk = model._meta.db_table, model._meta.pk.column
    if connection.features.has_select_for_update:  # PostgreSQL: the lock a foreign key check takes, taken now
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f'SELECT "{pk}" FROM "{table}" WHERE "{pk}" IN ({marks}) ORDER BY "{pk}" FOR KEY SHARE',
                           ids)  # fmt: skip
            there = {row[0] for row in cursor.fetchall()}
    else:
        there = set(model._base_manager.using(using).filter(pk__in=ids).values_list("pk", flat=True))
    gone = [i for i in ids if i not in there]
    if gone:
        message = _("Source %(id)s no longer exists (deleted meanwhile); nothing was saved.")
        raise ValidationError({"sources": [ValidationError(message % {"id": i}, code="does_not_exist")
                                           for i in gone]})  # fmt: skip


def cases_of_records(label: str, ids: Iterable[int]) -> dict[str, set[int]]:
    """The cases (label → ids) these records of `label` belong to."""
    ids = {i for i in ids if i is not None}
    if not ids or label not in RECORDS:
        return {}
    case_label, find = RECORDS[label]
    return {case_label: {c for c in find(ids) if c is not None}}


def cases_citing(source) -> dict[str, set[int]]:
    """The cases (label → ids) with a record that cites this source."""
    cases: dict[str, set[int]] = {}
    for field in _citing_relations(type(source)):
        ids = set(getattr(source, field.get_accessor_name()).values_list("pk", flat=True))
        for label, found in cases_of_records(field.related_model._meta.label_lower, ids).items():
            cases.setdefault(label, set()).update(found)
    return cases


def lock_record(instance) -> None:
    """Before a compare-and-write of `instance` (the API's `If-Match`): lock what its representation and its write
    depend on, in the global order — the case it belongs to (for a source, every case citing it), then its own row
    — so that nothing changes between the comparison and the write's commit. Opens no block: call it inside one."""
    label = instance._meta.label_lower
    if label == SOURCE:
        lock_cases(cases_citing(instance))
    elif label in CASE_OF_INSTANCE:
        lock_cases({RECORDS[label][0]: {CASE_OF_INSTANCE[label](instance)}})
    model = type(instance)
    connection = connections[router.db_for_write(model)]
    if connection.features.has_select_for_update and connection.in_atomic_block:  # else no transaction to hold it
        rows = model._base_manager.using(connection.alias).select_for_update(no_key=True).filter(pk=instance.pk)
        list(rows.values("pk"))


def _citing_relations(source_model):
    return [f for f in source_model._meta.related_objects if f.many_to_many and f.name.startswith("cited_")]


def _note(label: str, ids: Iterable[int]) -> None:
    block = _block.get()
    if block is not None:
        block.touch(label, ids)


def _saved(sender, instance, raw=False, **kwargs):
    if not raw:  # raw loads (fixtures, dataset imports) check everything once at the end
        label = sender._meta.label_lower
        _note(label, [instance.pk])
        column = OWN_CASE_COLUMN.get(label)
        if column is not None:  # its own row, just written, names its case
            remember_cases(instance, {getattr(instance, column)} - {None})


def remember_cases(record, cases: set[int]) -> None:
    """`record`, saved in this block, belongs to these cases as the database says after its save (its own column,
    or a statement that read its row afresh after the save): the check at the end of the block then need not ask."""
    block = _block.get()
    if block is None or block.everything or record.pk is None:
        return
    using = router.db_for_write(type(record))
    count_rollbacks(using)
    block.known[(record._meta.label_lower, record.pk)] = (set(cases), using, savepoints_rolled_back(using))


_CASE_UPDATES: dict[tuple, str] = {}


def update_case_of(record, **values) -> set[int] | None:
    """Set `values` on the case `record` belongs to, as the database has it now: one `UPDATE … WHERE id IN (the
    record's row, joined to its case) RETURNING id`, after the record's save. The cases updated are returned and
    remembered (`remember_cases`: the check's read of where the record belongs is this statement), and on PostgreSQL
    held as locked (an UPDATE takes the row lock `lock_cases` takes). None when nothing was sent (a record one step
    from its case, or a database without RETURNING): the caller updates the case itself."""
    label = record._meta.label_lower
    case_label, path = PATHS.get(label, (None, ""))
    if "__" not in path or record.pk is None:
        return None
    model = type(record)
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        return None
    case_model = apps.get_model(case_label)
    names = sorted(values)
    key = (label, using, tuple(names))
    sql = _CASE_UPDATES.get(key)
    if sql is None:
        inner = model._base_manager.using(using).filter(pk=0).order_by().values(path).query
        inner_sql, inner_params = inner.get_compiler(using).as_sql()
        assert list(inner_params) == [0], inner_params  # the record's id is its one parameter
        qn = connection.ops.quote_name
        columns = ", ".join(f"{qn(case_model._meta.get_field(name).column)} = %s" for name in names)
        pk = qn(case_model._meta.pk.column)
        sql = _CASE_UPDATES.setdefault(key, f"UPDATE {qn(case_model._meta.db_table)} SET {columns} "
                                            f"WHERE {pk} IN ({inner_sql}) RETURNING {pk}")  # fmt: skip
    params = [case_model._meta.get_field(name).get_db_prep_save(values[name], connection) for name in names]
    count_rollbacks(using)  # before the row locks: every rollback after them is counted
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, record.pk])
        cases = {row[0] for row in cursor.fetchall()}
    remember_cases(record, cases)
    block = _block.get()
    if block is not None and not block.everything and connection.features.has_select_for_update:
        taken = (using, savepoints_rolled_back(using))
        block.locked.update(((case_label, case), taken) for case in cases)
    return cases


def _saving(sender, instance, raw=False, **kwargs):
    """Before a record of a case is written: lock the case (the case first, then what is written in it)."""
    block = _block.get()
    if raw or block is None:
        return
    label = sender._meta.label_lower
    if instance.pk is not None:  # saved anew: where it belongs is learnt again after this save, its values read again
        block.forget_cases(label, instance.pk)
        block.forget_read((label, instance.pk))
    lock_cases({RECORDS[label][0]: {CASE_OF_INSTANCE[label](instance)}})


def _recited(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action.startswith("pre_") and _block.get() is not None:
        _lock_for_citations(instance, action, reverse, model, pk_set)
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


def _lock_for_citations(instance, action, reverse, model, pk_set) -> None:
    """Before citations change: lock the cases whose records gain or lose them, then the sources newly cited."""
    if not reverse:  # record.sources.add/remove/clear/set
        label = instance._meta.label_lower
        lock_cases({RECORDS[label][0]: {CASE_OF_INSTANCE[label](instance)}})
        if action == "pre_add":
            lock_sources(pk_set or ())
    else:  # from the source's side: source.cited_x.add/remove/clear
        label = model._meta.label_lower
        if action == "pre_clear":
            lock_cases(cases_citing(instance))
        else:
            lock_cases(cases_of_records(label, pk_set or ()))
        if action == "pre_add":
            lock_sources([instance.pk])


def source_deleted(sender, instance, **kwargs):
    """A deleted source takes its citations with it: lock the cases citing it, then the source itself (no new
    citation of it can commit meanwhile), and note every record that cites it by then."""
    if _block.get() is not None:
        lock_cases(cases_citing(instance))
        using = router.db_for_write(sender)
        if connections[using].features.has_select_for_update:
            list(sender._base_manager.using(using).select_for_update().filter(pk=instance.pk).values("pk"))
            lock_cases(cases_citing(instance))  # a citation committed while we waited: its case too
    for field in _citing_relations(sender):
        model = field.related_model
        _note(model._meta.label_lower, getattr(instance, field.get_accessor_name()).values_list("pk", flat=True))


def connect_source_deletion() -> None:
    pre_delete.connect(source_deleted, sender=apps.get_model("sources", "Source"), dispatch_uid="integrity-source-del")

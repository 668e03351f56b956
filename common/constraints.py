"""Model constraints validated without a query where the values in hand decide them (issue 21, item 5).

Django validates every `CheckConstraint` of a record by sending the database `SELECT 1 WHERE <condition>` inside a
savepoint: three statements per constraint and per write (a charge has three, a sentence six), though the condition
is almost always a comparison of the values the record already holds ("the precision is day, month or year", "the
term is positive"). `validate_constraints` below reads such a condition in Python first, with SQL's three-valued
logic (a comparison with NULL is unknown, and a CHECK passes unless its condition is false), and sends nothing when
it passes. Anything it cannot read exactly as the database would (a transform, a function, a text compared by order,
a value of a field type of a library's own) is left to Django's query, as before; so is every case it judges
failed, so that the refusal is Django's own message, confirmed by the database. A `UniqueConstraint` with a condition
the record does not meet (`wikidata_id` empty) cannot be broken by it, and skips its query too. The database's own
constraints still hold every row whatever this says; a test compares its verdicts with the database's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import CheckConstraint, F, Q, UniqueConstraint

# Types whose comparison in Python is the database's: equality of these, and order of numbers and dates.
EQUAL_TYPES = (str, bool, int, float, Decimal, datetime.date, datetime.datetime)
ORDER_TYPES = (int, float, Decimal, datetime.date, datetime.datetime)


class Undecided(Exception):
    """The condition needs the database (a lookup or a value this module does not read)."""


class Excluded(Exception):
    """The condition names a field left out of validation: Django skips the constraint (a FieldError)."""


def field_values(instance, model) -> dict[str, object]:
    """Field name → value, for the plain Django fields of `model` (others are Undecided when named)."""
    values = {}
    for field in model._meta.local_concrete_fields:
        value = getattr(instance, field.attname)
        plain = type(field).__module__.startswith("django.db.models.fields") and not field.generated
        values[field.name] = value if plain and (value is None or isinstance(value, EQUAL_TYPES)) else Undecided
    values["pk"] = instance.pk if isinstance(instance.pk, int | None) else Undecided
    return values


def evaluate(condition, values: dict, exclude: set) -> bool | None:
    """The condition over these values: True, False, or None (SQL's unknown)."""
    if not isinstance(condition, Q):
        raise Undecided
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, values, exclude))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            results.append(_lookup(child[0], child[1], values, exclude))
        else:
            raise Undecided
    if condition.connector == Q.AND:
        result = _all(results)
    elif condition.connector == Q.OR:
        result = _any(results)
    else:
        raise Undecided
    if condition.negated:
        return None if result is None else not result
    return result


def _all(results: list) -> bool | None:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _any(results: list) -> bool | None:
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _value(name: str, values: dict, exclude: set):
    if name in exclude:
        raise Excluded
    if name not in values or values[name] is Undecided:
        raise Undecided
    return values[name]


def _lookup(path: str, rhs, values: dict, exclude: set) -> bool | None:
    name, _, lookup = path.partition("__")
    if "__" in lookup:
        raise Undecided
    lookup = lookup or "exact"
    lhs = _value(name, values, exclude)
    if isinstance(rhs, F):
        rhs = _value(rhs.name, values, exclude)
        if rhs is None and lookup != "isnull":  # a column compared with a NULL column is NULL, never IS NULL
            return None
    elif hasattr(rhs, "resolve_expression"):
        raise Undecided
    if lookup == "isnull":
        if not isinstance(rhs, bool):
            raise Undecided
        return (lhs is None) == rhs
    if lookup == "exact" and rhs is None:  # Django reads `field=None` as IS NULL
        return lhs is None
    if lookup == "in":
        if not isinstance(rhs, list | tuple | set | frozenset) or not rhs:
            raise Undecided
        if any(v is None or not isinstance(v, EQUAL_TYPES) or not _comparable(lhs, v) for v in rhs):
            raise Undecided
        return None if lhs is None else lhs in rhs
    if lhs is None or rhs is None:
        return None
    if lookup == "exact":
        if not isinstance(rhs, EQUAL_TYPES) or not _comparable(lhs, rhs):
            raise Undecided
        return lhs == rhs
    if lookup in ("gt", "gte", "lt", "lte"):
        if not (isinstance(lhs, ORDER_TYPES) and isinstance(rhs, ORDER_TYPES)) or not _comparable(lhs, rhs):
            raise Undecided
        try:
            return {"gt": lhs > rhs, "gte": lhs >= rhs, "lt": lhs < rhs, "lte": lhs <= rhs}[lookup]
        except TypeError:  # an aware and a naive time
            raise Undecided from None
    raise Undecided


def _comparable(a, b) -> bool:
    """Both of one kind, as the database compares them: text with text, a date with a date (not a datetime),
    a yes/no with a yes/no, numbers with numbers."""
    kinds = []
    for value in (a, b):
        if value is None:
            return True
        if isinstance(value, bool):
            kinds.append("bool")
        elif isinstance(value, datetime.datetime):
            kinds.append("datetime")
        elif isinstance(value, datetime.date):
            kinds.append("date")
        elif isinstance(value, str):
            kinds.append("str")
        else:
            kinds.append("number")
    return kinds[0] == kinds[1]


def passes(constraint, model, instance, exclude: set) -> bool:
    """Whether the values in hand show that this record keeps `constraint` (False: ask the database)."""
    try:
        values = field_values(instance, model)
        if isinstance(constraint, CheckConstraint):
            return evaluate(constraint.condition, values, exclude) is not False
        if isinstance(constraint, UniqueConstraint) and constraint.condition is not None:
            return evaluate(constraint.condition, values, exclude) is False
    except Excluded:
        return True  # as Django: a constraint naming a field left out is not validated
    except Undecided:
        pass
    return False


def validate_constraints(instance, exclude=None) -> None:
    """`Model.validate_constraints`, deciding in Python what the values in hand decide (see the module)."""
    from django.core.exceptions import ValidationError
    from django.db import router

    exclude = set(exclude or ())
    using = router.db_for_write(type(instance), instance=instance)
    errors = {}
    for model_class, model_constraints in instance.get_constraints():
        for constraint in model_constraints:
            if passes(constraint, model_class, instance, exclude):
                continue
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except ValidationError as e:  # filed as Model.validate_constraints files it
                if getattr(e, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(e)
                else:
                    errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

"""Constraints decided in Python (`common.constraints`, issue 21 item 5): never a pass the database would refuse, and
no query for the constraints the values in hand decide."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from common.constraints import passes
from common.models import TimeStampedModel
from detainees.models import Charge, Detainee, Sentence
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db


def named_fields(condition) -> set[str]:
    names = set()
    for child in condition.children:
        if isinstance(child, Q):
            names |= named_fields(child)
        else:
            names.add(child[0].split("__")[0])
            if isinstance(child[1], F):
                names.add(child[1].name)
    return names


CONSTRAINTS = [
    (model, constraint)
    for model in apps.get_models()
    if issubclass(model, TimeStampedModel)
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint) or getattr(constraint, "condition", None) is not None
]


def values_for(field) -> st.SearchStrategy:
    if field.choices:
        options = st.sampled_from([c[0] for c in field.flatchoices] + ["", "bogus"])
    elif isinstance(field, models.DateField):
        options = st.dates(datetime.date(1990, 1, 1), datetime.date(1990, 3, 1))
    elif isinstance(field, models.BooleanField):
        options = st.booleans()
    elif isinstance(field, models.DecimalField):
        options = st.decimals(-5, 5, places=2, allow_nan=False)
    elif isinstance(field, models.IntegerField | models.ForeignKey):
        options = st.integers(-3, 3)
    else:
        options = st.sampled_from(["", "a", "Q1", "ru"])
    return st.none() | options


@pytest.mark.parametrize(("model", "constraint"), CONSTRAINTS, ids=[c.name for _, c in CONSTRAINTS])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_python_never_passes_what_the_database_refuses(model, constraint, data):
    condition = constraint.condition
    instance = model()
    for name in named_fields(condition):
        field = model._meta.get_field(name)
        setattr(instance, field.attname, data.draw(values_for(field), label=name))
    decided = passes(constraint, model, instance, set())
    try:
        constraint.validate(model, instance, exclude=set(), using="default")
        database = True
    except ValidationError:
        database = False
    if decided:
        assert database, f"{constraint.name}: Python passed what the database refuses"


def test_every_check_of_a_plain_field_is_decided_without_the_database():
    """The feature is live: the date precision, the choices and the sentence's rules pass in Python on good values
    (a test that could fail if `passes` always deferred to the database)."""
    charge = Charge(category="espionage", outcome="pending", charged_on_precision="day")
    sentence = Sentence(term_months=12, sentenced_on_precision="day", is_life=False, is_death=False,
                        is_suspended=False, fine_amount=Decimal("10"))  # fmt: skip
    for instance in (charge, sentence):
        for constraint in instance._meta.constraints:
            assert passes(constraint, type(instance), instance, set()), constraint.name
    person = Detainee(wikidata_id="")
    unique = next(c for c in Detainee._meta.constraints if isinstance(c, UniqueConstraint) and c.condition)
    assert passes(unique, Detainee, person, set())
    person.wikidata_id = "Q1"  # the condition met: the database is asked
    assert not passes(unique, Detainee, person, set())


def test_validation_sends_no_query_for_constraints_it_decides_and_still_refuses():
    charge = Charge(category="espionage", outcome="pending", charged_on_precision="day")
    with CaptureQueriesContext(connection) as queries:
        charge.validate_constraints()
    assert queries.captured_queries == []
    charge.charged_on_precision = "week"
    with pytest.raises(ValidationError) as refused:
        charge.validate_constraints()
    assert "charge_charged_on_precision_valid" in str(refused.value) or refused.value.messages
    sentence = Sentence(term_months=0, sentenced_on_precision="day", is_life=False, is_death=False,
                        is_suspended=False)  # fmt: skip
    with pytest.raises(ValidationError):
        sentence.validate_constraints()


def test_a_wikidata_id_taken_is_still_refused():
    DetaineeFactory(wikidata_id="Q42")
    other = DetaineeFactory(wikidata_id="")
    other.wikidata_id = "Q42"
    with pytest.raises(ValidationError) as refused:
        other.validate_constraints()
    assert "wikidata_id" in refused.value.message_dict or refused.value.messages

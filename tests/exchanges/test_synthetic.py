"""The synthetic data generator used by the benchmarks."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from detainees.models import Detainee, Detention
from exchanges.models import Exchange
from sources.models import Outlet, Source, Statement

pytestmark = pytest.mark.django_db


def generate(n=300, seed=7):
    call_command("generate_synthetic", detainees=n, seed=seed, stdout=open("/dev/null", "w"),
                 stderr=open("/dev/null", "w"))  # fmt: skip


@pytest.mark.slow  # generates 300 cases
def test_shape_of_the_generated_data():
    generate(300)
    assert Detainee.objects.count() == 300
    assert 1.15 <= Detention.objects.count() / 300 <= 1.45
    assert (Exchange.objects.count(), Source.objects.count(), Outlet.objects.count()) == (60, 600, 50)
    assert Statement.objects.count() == 30
    drafts = Detainee.objects.filter(is_published=False).count()
    assert 3 <= drafts <= 35  # about 5%
    sizes = list(Exchange.objects.annotate(n=Count("participants")).values_list("n", flat=True))
    assert min(sizes) >= 2 and max(sizes) == 30
    assert Detainee.objects.exclude(name_original="").filter(search_key__contains="|").exists()
    assert set(Detention.objects.values_list("detained_on_precision", flat=True)) == {"day", "month", "year"}
    assert list(Detainee.objects.search("Иван")) == list(Detainee.objects.search("ivan"))


@pytest.mark.slow
def test_same_seed_same_data():
    generate(50, seed=11)
    first = list(Detainee.objects.order_by("pk").values_list("name", "born_on", "citizenships"))
    for model in (Statement, Exchange, Detainee, Source, Outlet):
        model.objects.all().delete()
    generate(50, seed=11)
    assert list(Detainee.objects.order_by("pk").values_list("name", "born_on", "citizenships")) == first


def test_refuses_to_run_twice_with_one_seed():
    generate(20, seed=5)
    with pytest.raises(CommandError, match="seed 5"):
        generate(20, seed=5)

"""The demo's rows put back once for a run of tests of one module, each test rolled back to them (tests/conftest.py,
`_SharedDemo`; README, "Suite times", round 9).

Each test here writes to the demo; every one must find it as the loader left it (never another test's writes),
without a put-back of its own; a test of the module without the demo must find none of it. With the sharing turned
off (`TEST_SHARED_DEMO=off`: each test its own put-back) the tests asking `holds` fail; with each test's savepoint
gone, the rows written by one are found by the next.
"""

import pytest
from django.db import connection

from detainees.models import Detainee
from tests import conftest
from tests.factories import DetaineeFactory
from tests.snapshots import _Rows

pytestmark = pytest.mark.django_db

WRITTEN = "Written By A Test"


def _names() -> list[str]:
    return sorted(Detainee.objects.values_list("name", flat=True))


def _as_the_loader_left_them() -> list[str]:
    """The demo's people, from the loader's recorded rows rather than from the database."""
    snapshot = conftest._demo_rows.snapshots[0]
    reader = _Rows()
    return sorted(
        reader.value(row, "detainees_detainee", "name") for row in snapshot.added("detainees_detainee").elements()
    )


def _shares(request) -> bool:
    """This test found the module's rows already there (or came before the process's databases were made)."""
    return conftest._shared_demo.holds(request.node) or conftest._shared_demo.first == request.node.nodeid


def _write_to_the_demo() -> None:
    Detainee.objects.filter(name=_as_the_loader_left_them()[0]).update(name="Renamed By A Test")
    DetaineeFactory(name=WRITTEN)


@pytest.mark.parametrize("turn", range(3))
def test_each_test_finds_the_demo_as_the_loader_left_it_and_may_write_to_it(demo, request, turn):
    assert _shares(request)
    assert connection.in_atomic_block
    assert _names() == _as_the_loader_left_them()
    assert WRITTEN not in _names()
    _write_to_the_demo()
    assert WRITTEN in _names()


def test_a_test_of_the_module_without_the_demo_finds_none_of_it(request):
    assert not conftest._shared_demo.holds(request.node)
    assert Detainee.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_never_shares_it(demo, request):
    assert conftest._SharedDemo.key_of(request.node) is None
    assert not conftest._shared_demo.holds(request.node)
    assert _names() == _as_the_loader_left_them()  # its own put-back

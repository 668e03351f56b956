"""schemathesis against the OpenAPI schema: every check, every generation mode and phase, anonymous and as an
editor, bounded by a fixed number of examples per operation.

Every test here is marked `schemathesis`, and a run that deselects the mark does not even collect this module
(tests/conftest.py). The coverage phase's cases (47,590 for 192 tests, ~22 s of CPU) are built when each test first
runs, not at collection in every test process (`_CoverageLater`, below).
"""

import io

import pytest
import schemathesis
import schemathesis.checks as checks
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.generation.hypothesis import builder as _builder

from config.wsgi import application


class _CoverageLater(list):
    """A test's explicit examples, the coverage phase's cases among them built the first time they are read.

    schemathesis builds every operation's coverage cases when it makes the operation's test, at collection
    (`builder.add_coverage`: ~48,000 cases for 192 tests, ~25 s of CPU), and attaches each as a hypothesis `@example`.
    Every xdist process collects every test, so each paid for all of them though it runs about half. Here the same
    `add_coverage` runs, with the same arguments, when hypothesis first reads the list (`execute_explicit_examples`,
    as the test runs): the same cases, in the same order after the schema's own examples, built once in the run."""

    def __init__(self, test, earlier, build):
        super().__init__(earlier)
        self._test, self._build = test, build

    def _fill(self) -> None:
        if self._build is None:
            return
        build, self._build = self._build, None
        probe = build()  # a stand-in function the real add_coverage attaches the cases (and its marks) to
        list.extend(self, getattr(probe, "hypothesis_explicit_examples", ()))
        unserializable = _builder.UnserializablePayloadMark.get(probe)
        if unserializable:
            _builder.UnserializablePayloadMark.set(self._test, unserializable)

    def __iter__(self):
        self._fill()
        return list.__iter__(self)

    def __reversed__(self):
        self._fill()
        return list.__reversed__(self)

    def __len__(self):
        self._fill()
        return list.__len__(self)

    def __bool__(self):
        return len(self) > 0

    def __getitem__(self, index):
        self._fill()
        return list.__getitem__(self, index)


def _add_coverage_later(test, *args, **kwargs):
    def build():
        def probe():
            pass

        return _eager_add_coverage(probe, *args, **kwargs)

    test.hypothesis_explicit_examples = _CoverageLater(test, getattr(test, "hypothesis_explicit_examples", ()), build)
    _deferred.append(test)
    return test


_deferred: list = []  # every operation's test made here (collection makes all of them, whatever `-k` then selects)


_eager_add_coverage = _builder.add_coverage
_builder.add_coverage = _add_coverage_later  # create_test looks it up in its module when it makes each test

WRITES = ["POST", "PUT", "PATCH", "DELETE"]
EDITOR_TOKEN = "e" * 40  # created for each test by the `editor_token` fixture


def load(**headers):
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    if headers:
        loaded.config.update(headers=headers)  # explicit credentials: schemathesis judges auth checks with them
    return loaded


schema = load()
editor_schema = load(Authorization=f"Token {EDITOR_TOKEN}")
BOUND = settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schemathesis.hook
def map_case(context, case):
    """Parameters whose 400s a schema cannot express, each tested on its own in test_api.py and test_contract.py:
    `fields` names serializer fields (unknown ones are a 400), `page` past the last page is a 400, as the contract
    asks, and a `cursor` is an opaque token from a `next` link (an empty one starts). Data meant to be valid leaves
    them out (an empty cursor starts); data meant to be invalid keeps them, as they are refused all the same."""
    if case.query and not negative_query(case):
        case.query.pop("fields", None)
        case.query.pop("page", None)
        if "cursor" in case.query:
            case.query["cursor"] = ""
        if case.operation.path == "/api/v1/census/" and str(case.query.get("on", "")) > today():
            case.query["on"] = today()  # a census counts up to today: a later date is a 400 (test_census.py)
    return case


def today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def negative_query(case) -> bool:
    components = getattr(case.meta, "components", None) or {}
    return any(getattr(location, "value", location) == "query" and info.mode == GenerationMode.NEGATIVE
               for location, info in components.items())  # fmt: skip


pytestmark = pytest.mark.schemathesis


@pytest.fixture
def published_data(demo):
    """The demo cases, and the real WSGI app kept from closing the test's database connection after each request
    (Django's test client does the same; on PostgreSQL the closed connection would break the test transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    from django.core.management import call_command

    from changes.publisher import publish
    from tests.factories import DetaineeFactory

    people = DetaineeFactory.create_batch(3)
    publish()  # public first, so that deleting them leaves tombstones: /deletions/ has pages to read
    for person in people:
        person.delete()
    call_command("build_dump", stdout=io.StringIO(), stderr=io.StringIO())  # built by its command, never on request
    yield demo
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def editor_token(editor):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=editor, key=EDITOR_TOKEN).key


def call_and_check(case, excluded=()):
    # The WSGI transport hands bodies over as sent; a real client (requests, httpx) undoes gzip by itself, so ask for
    # the dump file uncompressed here rather than teach the checks gzip.
    response = case.call(headers={"Accept-Encoding": "identity"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.query}: {response.status_code}"
    case.validate_response(response, excluded_checks=list(excluded))  # every check schemathesis has, unless named
    return response


# An editor's write is judged by every check but one: what a JSON schema cannot say is answered so that the checks
# accept it — an id naming no record, or a unique value taken, is a 409 naming the field; addresses and currencies are
# described as the validators accept them; text, codes and booleans must be the JSON types the schema says. Left out
# for editors' writes: positive_data_acceptance, for "published means sourced" alone (`is_published: true` with no
# sources is a 400); saying it in the schema (an `anyOf`) breaks the generated client (test_generated_client.py).
# ignored_auth: the editor's token is set on every request of `editor_schema` (load(Authorization=...)), so the check's
# resend "without valid auth" carries it too and is answered as the editor; the anonymous runs check the 401/403s.
EDITOR_EXCLUDED = (checks.positive_data_acceptance, checks.ignored_auth)


@schema.include(method="GET").parametrize()
@BOUND
@pytest.mark.django_db
def test_reads_anonymous(case, published_data):
    call_and_check(case)


@editor_schema.include(method="GET").parametrize()
@BOUND
@pytest.mark.django_db
def test_reads_as_an_editor(case, published_data, editor_token):
    call_and_check(case)


@schema.include(method=WRITES).parametrize()
@BOUND
@pytest.mark.django_db
def test_writes_anonymous_are_refused(case, published_data):
    response = call_and_check(case)  # the checks include that a write without credentials is refused
    assert response.status_code not in (200, 201, 204) or case.method not in WRITES


def test_every_operations_test_carries_its_coverage_cases_to_be_built_when_it_runs():
    """The deferral took (`_add_coverage_later`): each operation's test here holds the list that fills when read, and
    reading it gives the coverage phase's cases, not nothing. Without it, a schemathesis that stopped calling
    `builder.add_coverage` would leave the tests passing with only their generated examples."""
    assert len(_deferred) > 150
    assert all(isinstance(test.hypothesis_explicit_examples, _CoverageLater) for test in _deferred)
    operation = _builder.ApiOperationMark.get(_deferred[0])
    cases = [example.kwargs["case"] for example in _deferred[0].hypothesis_explicit_examples]
    assert len(cases) > 10 and {case.path for case in cases} == {operation.path}


@editor_schema.include(method=WRITES).parametrize()
@BOUND
@pytest.mark.django_db
def test_writes_as_an_editor(case, published_data, editor_token):
    call_and_check(case, excluded=EDITOR_EXCLUDED)


# The stateful phase: schemathesis follows the schema's OpenAPI links (common/schema.py `add_links`) from one response
# to the next operation: creates a record, reads, changes and deletes it, reads it after deletion (404), lists what
# refers to it. Bounded by scenarios and steps, so it costs about what one operation's examples do.
STATEFUL = settings(max_examples=25, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=True, phases=[Phase.generate])  # fmt: skip


def run_stateful(loaded, excluded=(), scenarios=STATEFUL) -> list[tuple[str, str, int, bool]]:
    """Run the state machine; return every step as (method, path template, status, whether a link led to it)."""
    steps = []

    class Workflow(loaded.as_state_machine()):
        # Every scenario starts from the same records (a savepoint rolled back after it), so that hypothesis, when it
        # replays a failing scenario to report it, sees the same responses.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def step(self, input):
            output = super().step(input)
            steps.append(
                (input.case.method, input.case.path, output.response.status_code, input.transition is not None)
            )
            return output

        def get_call_kwargs(self, case):
            return {"headers": {"Accept-Encoding": "identity"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} {case.query}: {response.status_code}"
            )
            case.validate_response(response, additional_checks=additional_checks, excluded_checks=list(excluded),
                                   transport_kwargs=kwargs or None, recorder=self.recorder)  # fmt: skip

    Workflow.run(settings=scenarios)
    return steps


@pytest.mark.django_db
def test_stateful_anonymous(published_data):
    # 40 scenarios: with the feed's, releases' and webhooks' operations in the schema, 25 reached only 7 linked steps
    steps = run_stateful(schema, scenarios=settings(STATEFUL, max_examples=40))
    assert sum(linked for _method, _path, _status, linked in steps) >= 10  # the phase follows the schema's links


@pytest.mark.django_db
def test_stateful_as_an_editor(published_data, editor_token):
    steps = run_stateful(editor_schema, excluded=EDITOR_EXCLUDED)
    assert any(method == "POST" and status == 201 for method, _path, status, _linked in steps)
    assert any(linked and status < 400 for _method, _path, status, linked in steps)

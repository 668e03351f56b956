"""`make bench` (bench/run.py): which sections a command line runs, and the first-visit section's cold and warm sets:
disjoint, the cold set's stored documents gone and nobody else's, the warm set's current (with their pages for case
pages). A cold figure measured on people whose documents are built, or a warm one on people whose are not, would
say nothing."""

import sys
from pathlib import Path

import pytest
from django.core.management import call_command

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import run  # noqa: E402

from casedocs.models import CaseDocument  # noqa: E402
from casedocs.services import current  # noqa: E402


def test_sections_follow_only_and_skip():
    assert run.parse_args([]).sections == list(run.SECTIONS)
    assert run.parse_args(["--skip-writes", "--skip-growth", "--skip-rebuild"]).sections == [
        "first-visit",
        "throughput",
    ]
    assert run.parse_args(["--only", "growth,writes"]).sections == ["writes", "growth"]
    assert run.parse_args(["--only", "growth,writes", "--skip-growth"]).sections == ["writes"]
    assert run.parse_args(["--first-visit-only"]).sections == ["first-visit"]
    smoke = run.parse_args(["--smoke"])
    assert (smoke.sections, smoke.urls, smoke.datasette, smoke.seconds) == (["first-visit", "throughput"], 5, False, 1)
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "everything"])


def test_disjoint_keeps_pairs_whose_people_the_other_side_lacks(monkeypatch):
    people = {"a1": {1, 2}, "a2": {3, 4}, "b1": {1}, "b2": {5}, "c1": {6}, "c2": {7}, "d1": set(), "d2": {8}}
    monkeypatch.setattr(run, "_probe", lambda url: people[url] or None)
    cold, warm = run._disjoint([run.Visit(url, "", set()) for url in people], 5)
    assert [v.ours for v in cold] == ["a1", "c2"]  # b1 (warm) would show a1's person 1; pairs alternate
    assert [v.ours for v in warm] == ["a2", "c1"]  # d1 is empty
    assert not {pk for v in cold for pk in v.ids} & {pk for v in warm for pk in v.ids}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["API detail", "case page"])
def test_the_cold_sets_documents_go_and_the_warm_sets_are_current(kind):
    """`set_documents` on a few people (the check tier's; the generated dataset's plan below is `slow`): the cold
    set's stored documents gone, nobody else's, the warm set's current (with their pages for case pages)."""
    from casedocs.services import build
    from tests.factories import DetaineeFactory

    cold, other, warm_built, warm_new, warm_no_page = (DetaineeFactory().pk for _ in range(5))
    build([cold, other, warm_built])
    build([warm_no_page], pages=False)
    assert CaseDocument.objects.get(pk=warm_no_page).page == ""
    run.set_documents(kind, [run.Visit("a", "", {cold})], [run.Visit("b", "", {warm_built, warm_new, warm_no_page})])
    assert set(CaseDocument.objects.values_list("pk", flat=True)) == {other, warm_built, warm_new, warm_no_page}
    served = current().exclude(page="") if kind == "case page" else current()
    assert set(served.filter(pk__in=[warm_built, warm_new, warm_no_page]).values_list("pk", flat=True)) == {
        warm_built, warm_new, warm_no_page}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.slow  # a generated dataset of 400 people and their documents built (README, "Suite times")
def test_first_visit_sets_are_disjoint_and_their_documents_set(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("generate_synthetic", detainees=400, seed=3, stdout=open("/dev/null", "w"),
                 stderr=open("/dev/null", "w"))  # fmt: skip
    call_command("build_case_documents", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    plan = run.first_visit_plan(run.pick(5), 5, None)
    for kind in run.DOCUMENT_KINDS:
        assert any(cold and warm for cold, warm in plan[kind]), kind
        for cold, warm in plan[kind]:  # at 400 people no list held by one country has two pages: that round is empty
            cold_ids, warm_ids = {pk for v in cold for pk in v.ids}, {pk for v in warm for pk in v.ids}
            assert len(cold) == len(warm) and len(cold_ids) >= len(cold) and len(warm_ids) >= len(warm), kind
            assert not cold_ids & warm_ids, kind
            before = set(CaseDocument.objects.values_list("pk", flat=True))
            run.set_documents(kind, cold, warm)
            after = set(CaseDocument.objects.values_list("pk", flat=True))
            assert not cold_ids & after, f"{kind}: a document of the cold set left"
            assert before - after <= cold_ids, f"{kind}: a document deleted outside the cold set"
            served = current().exclude(page="") if kind == "case page" else current()
            assert set(served.filter(pk__in=warm_ids).values_list("pk", flat=True)) == warm_ids, kind
    assert len(plan["API list of 50, filtered"]) == 2  # a round per filter: status, held by
    assert all(v.ours.startswith("/api/v1/detainees/?status=") for v in plan["API list of 50, filtered"][0][0])

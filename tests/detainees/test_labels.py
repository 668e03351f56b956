"""Labels that say what happened (issue 12, item 7)."""

from datetime import date as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse


def test_griner_appeal_reads_as_one_thing(client, demo):
    page = client.get(reverse("detainees:detainee-detail", args=["brittney-griner"])).content.decode()
    assert "Appeal rejected, sentence upheld" in page
    assert "Appeal upheld" not in page


def test_mediators_in_claims_and_speakers_show_country_names(client, demo):
    page = client.get(reverse("exchanges:exchange-detail", args=["griner-bout-exchange"])).content.decode()
    assert "United Arab Emirates, Saudi Arabia" in page
    assert "AE, SA" not in page
    assert '<a href="/officials/sergei-vershinin/">Sergei Vershinin</a>, Deputy Foreign Minister (Russia)' in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_turns_appeal_upheld_into_what_the_term_says():
    executor = MigrationExecutor(connection)
    before, after = [("detainees", "0008_drop_extradition_columns")], [("detainees", "0009_sentence_change_kinds")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    person = old.get_model("detainees", "Detainee").objects.create(name="A", slug="a")
    detention = old.get_model("detainees", "Detention").objects.create(
        detainee=person, held_by="RU", detained_on=D(2020, 1, 1)
    )
    sentence = old.get_model("detainees", "Sentence").objects.create(
        detention=detention, sentenced_on=D(2021, 1, 1), term_months=108
    )
    Change = old.get_model("detainees", "SentenceChange")
    kept = Change.objects.create(sentence=sentence, kind="appeal_upheld", changed_on=D(2021, 5, 1))
    cut = Change.objects.create(sentence=sentence, kind="appeal_upheld", changed_on=D(2021, 6, 1), new_term_months=60)
    pardon = Change.objects.create(sentence=sentence, kind="pardoned", changed_on=D(2022, 1, 1))
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        Change = executor.loader.project_state(after).apps.get_model("detainees", "SentenceChange")
        kinds = {c.pk: c.kind for c in Change.objects.all()}
        assert kinds == {kept.pk: "appeal_rejected", cut.pk: "reduced_on_appeal", pardon.pk: "pardoned"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

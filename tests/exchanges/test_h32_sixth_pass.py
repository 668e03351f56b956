"""Issue 25, sixth pass (h32): the starter dataset's cases from the states the earlier passes had not searched (an
Italian-Russian, a Spaniard, a Bulgarian-Russian, a Swiss journalist) and later reports of people held now, each
holding what the reports read say (dataset/sources-read.md, sixth pass)."""

from django.contrib.contenttypes.models import ContentType

from detainees.models import Detainee, Detention, Sentence, SentenceChange, Status
from sources.models import Claim
from tests.exchanges.test_starter_dataset import starter  # noqa: F401  (the fixture)


def claims(record) -> list[tuple[str, str]]:
    about = Claim.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    return sorted(about.values_list("field", "value"))


def test_the_cases_entered_in_the_sixth_pass_hold_what_their_reports_say(starter):  # noqa: F811
    held = set(Detainee.objects.published().with_status().filter(status=Status.HELD).values_list("slug", flat=True))
    assert {"ruslan-sidiki", "mariano-garcia-calatayud", "rositsa-georgieva"} <= held

    sidiki = Detention.objects.get(detainee__slug="ruslan-sidiki")
    assert {c.code for c in sidiki.detainee.citizenships} == {"IT", "RU"}
    assert (str(sidiki.detained_on), str(sidiki.last_confirmed_on)) == ("2023-12-01", "2025-07-03")
    sentence = sidiki.sentences.get()
    assert (sentence.term_months, str(sentence.sentenced_on), sentence.charges.count()) == (348, "2025-05-23", 3)
    assert claims(sidiki) == [("place", "Ryazan")]  # Open: Vnukovo airport; Sky TG24: Ryazan

    garcia = Detention.objects.get(detainee__slug="mariano-garcia-calatayud")
    assert (garcia.held_by.code, str(garcia.detained_on), str(garcia.last_confirmed_on)) == (
        "RU", "2022-03-19", "2023-10-04")  # fmt: skip
    assert garcia.charges.count() == 0  # held without charge
    assert claims(garcia) == [("detained_on", "2022-03-22")]  # Costa Blanca News' day

    georgieva = Detention.objects.get(detainee__slug="rositsa-georgieva")
    assert {c.code for c in georgieva.detainee.citizenships} == {"BG", "RU"}
    assert georgieva.detained_on is None  # no report read dates her arrest
    sentence = georgieva.sentences.get()
    assert (sentence.term_months, str(sentence.sentenced_on)) == (36, "2025-09-09")
    assert sentence.charges.get().statute == "Criminal Code art. 205.2 part 2"
    assert claims(sentence) == [("court", "a court in Volgograd")]  # the court's own statement: a military court

    tschirky = Detainee.objects.with_status().get(slug="luzia-tschirky")
    custody = tschirky.detentions.get()
    assert (tschirky.status, custody.held_by.code, custody.partial_date("detained_on")) == (
        Status.RELEASED, "BY", "January 2021")  # fmt: skip


def test_later_reports_of_people_held_now_are_entered(starter):  # noqa: F811
    poczobut = Detention.objects.get(detainee__slug="andrzej-poczobut")
    assert str(poczobut.last_confirmed_on) == "2025-10-31"  # Mediazona Belarus: talks on trading him paused
    woodland = Sentence.objects.get(detention__detainee__slug="robert-woodland")
    cut = SentenceChange.objects.get(sentence=woodland, kind="reduced")
    assert (woodland.term_months, cut.new_term_months, cut.changed_on) == (150, 114, None)  # the report gives no date

"""factory_boy factories for every record."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from detainees.models import Charge, Designation, Detainee, Detention, Sentence, Transfer
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Outlet, Source, Statement


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class EditorFactory(UserFactory):
    """A staff member in the "Editors" group, as the migration set it up."""

    username = factory.Sequence(lambda n: f"editor{n}")
    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def editors_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(editors_group())


def editors_group() -> Group:
    """The group the migration made (made again where a transactional test's flush emptied the table: Django makes
    content types and permissions again after a flush, not what data migrations wrote)."""
    from django.contrib.auth.models import Permission

    from common.editors import make_editors_group

    return make_editors_group(Group, Permission)


class ReviewerFactory(EditorFactory):
    """An editor who is also in the "Reviewers" group: may approve and check the work of other editors."""

    username = factory.Sequence(lambda n: f"reviewer{n}")

    @factory.post_generation
    def reviewers_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(reviewers_group())


def reviewers_group() -> Group:
    """The "Reviewers" group, as its migration made it (common 0003)."""
    from django.contrib.auth.models import Permission

    from common.editors import make_reviewers_group

    return make_reviewers_group(Group, Permission)


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    country = "RU"
    kind = "wire_agency"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Report number {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    outlet = factory.SubFactory(OutletFactory)
    published_on = datetime.date(2022, 12, 9)
    language = "en"


class DetaineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Detainee

    name = factory.Sequence(lambda n: f"Person Number{n}")
    citizenships = ["US"]
    description = "test person"
    is_published = True


class DetentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Detention

    detainee = factory.SubFactory(DetaineeFactory)
    held_by = "RU"
    detained_on = datetime.date(2022, 2, 17)
    place = "Moscow"


class ChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charge

    detention = factory.SubFactory(DetentionFactory)
    category = "drugs"
    statute = "Criminal Code art. 229.1"
    outcome = "convicted"


class SentenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sentence

    detention = factory.SubFactory(DetentionFactory)
    court = "Khimki City Court"
    sentenced_on = datetime.date(2022, 8, 4)
    term_months = 108


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    detention = factory.SubFactory(DetentionFactory)
    moved_on = datetime.date(2022, 11, 1)
    facility_name = "Penal colony IK-2, Mordovia"
    facility_kind = "penal_colony"


class DesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Designation

    detainee = factory.SubFactory(DetaineeFactory)
    authority = "US State Department"
    authority_country = "US"
    kind = "wrongfully_detained"
    designated_on = datetime.date(2022, 5, 1)


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    name = factory.Sequence(lambda n: f"Exchange {n}")
    date = datetime.date(2022, 12, 8)
    place = "Abu Dhabi"
    place_country = "AE"
    status = "completed"
    is_published = True


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeParticipant

    exchange = factory.SubFactory(ExchangeFactory)
    detainee = factory.SubFactory(DetaineeFactory)
    released_by = "RU"
    received_by = "US"


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    speaker = "Sergei Vershinin"
    speaker_role = "Deputy Foreign Minister"
    speaker_country = "RU"
    said_on = datetime.date(2022, 12, 20)
    quote = "A short quote."
    source = factory.SubFactory(SourceFactory)

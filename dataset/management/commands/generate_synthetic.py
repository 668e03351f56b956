"""Fill the database with realistic, deterministic synthetic cases for load tests and benchmarks."""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from tqdm import tqdm

from common import integrity
from common.derived import drain_feed
from common.text import russian_sort_key, search_key, transliterate
from dataset.backup import analyze
from detainees import facets
from detainees.models import Charge, Designation, Detainee, Detention, Sentence
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Outlet, Source, Statement

# (Latin, Cyrillic) name parts, so that names exist in both scripts as real ones do.
FIRST = [("Ivan", "Иван"), ("Sergei", "Сергей"), ("Anna", "Анна"), ("Olga", "Ольга"), ("Dmitry", "Дмитрий"),
         ("Yulia", "Юлия"), ("Alexei", "Алексей"), ("Maria", "Мария"), ("Pavel", "Павел"), ("Elena", "Елена"),
         ("Nikolai", "Николай"), ("Irina", "Ирина"), ("Viktor", "Виктор"), ("Tatiana", "Татьяна"),
         ("Mikhail", "Михаил"), ("Svetlana", "Светлана"), ("Andrei", "Андрей"), ("Natalia", "Наталья"),
         ("Konstantin", "Константин"), ("Ksenia", "Ксения")]  # fmt: skip
LAST = [("Petrov", "Петров"), ("Ivanov", "Иванов"), ("Sokolov", "Соколов"), ("Volkov", "Волков"),
        ("Kuznetsov", "Кузнецов"), ("Morozov", "Морозов"), ("Novikov", "Новиков"), ("Fedorov", "Фёдоров"),
        ("Orlov", "Орлов"), ("Zaitsev", "Зайцев"), ("Belov", "Белов"), ("Smirnov", "Смирнов"),
        ("Lebedev", "Лебедев"), ("Kozlov", "Козлов"), ("Pavlov", "Павлов"), ("Semenov", "Семёнов"),
        ("Golubev", "Голубев"), ("Vinogradov", "Виноградов"), ("Bogdanov", "Богданов"),
        ("Vorobiev", "Воробьёв")]  # fmt: skip
WESTERN = ["Smith", "Miller", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Young", "Allen", "Wright", "Scott",
           "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter"]  # fmt: skip
WESTERN_FIRST = ["John", "Mary", "James", "Emily", "Robert", "Sarah", "Michael", "Laura", "David", "Anna"]
HOLDERS = ["RU", "US", "BY", "IR", "CN", "DE", "VE", "KP", "TR", "AE", "PL", "GB"]
CITIZENSHIPS = ["US", "RU", "GB", "DE", "FR", "UA", "BY", "IR", "CA", "IL", "PL", "IE"]
DESCRIPTIONS = ["journalist", "businessman", "former soldier", "student", "pilot", "teacher", "activist",
                "arms dealer", "programmer", "tourist", "basketball player", "researcher"]  # fmt: skip
OUTLET_KINDS = ["wire_agency", "state_media", "independent", "newspaper", "broadcaster", "government", "ngo"]
OUTCOMES = ["pending", "convicted", "convicted", "acquitted", "dropped"]
PRECISIONS = ["day"] * 7 + ["month"] * 2 + ["year"]


def partial(rng: random.Random, start: datetime.date, end: datetime.date) -> tuple[datetime.date, str]:
    day = start + datetime.timedelta(days=rng.randrange(max((end - start).days, 1)))
    precision = rng.choice(PRECISIONS)
    if precision == "month":
        day = day.replace(day=1)
    elif precision == "year":
        day = day.replace(month=1, day=1)
    return day, precision


class Command(BaseCommand):
    """`generate_synthetic --detainees N --seed S`: N detainees, ~1.3 detentions each with charges and sentences,
    N/5 exchanges of 2–30 people, 2N sources across 50 outlets, N/10 statements, ~5% drafts. Same seed, same data."""

    help = "Generate deterministic synthetic cases with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--detainees", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, detainees: int, seed: int, batch_size: int, **options):
        if detainees < 10:
            raise CommandError("--detainees must be at least 10.")
        if Detainee.objects.filter(slug__startswith=f"syn{seed}-").exists():
            raise CommandError(
                f"Synthetic data with seed {seed} is already here; use another seed or a fresh database."
            )
        started = time.monotonic()
        rng = random.Random(seed)
        n = detainees
        today = datetime.date(2026, 1, 1)  # fixed, so the same seed gives the same data on any day
        counts: dict[str, int] = {}
        steps = tqdm(total=8, desc="Synthetic data", unit="step", file=self.stderr, disable=None)

        def save(model, objs, label):
            model.objects.bulk_create(objs, batch_size=batch_size)
            counts[label] = counts.get(label, 0) + len(objs)

        with transaction.atomic():
            # The list's facets are stored set-wise at the end, not by a trigger per inserted row (detainees.facets);
            # dropped and reinstalled inside this transaction, so a failure leaves the triggers as they were.
            facets.drop()
            outlets = [Outlet(name=f"Synthetic Outlet {seed}-{i:02d}", country=rng.choice(HOLDERS),
                              kind=OUTLET_KINDS[i % len(OUTLET_KINDS)]) for i in range(50)]  # fmt: skip
            save(Outlet, outlets, "outlets")
            steps.update()

            sources = []
            for i in range(2 * n):
                published, precision = partial(rng, datetime.date(1995, 1, 1), today)
                sources.append(Source(title=f"Report {i} on detentions", url=f"https://synthetic.example/{seed}/{i}",
                                      outlet=rng.choice(outlets), published_on=published,
                                      published_on_precision=precision, language="en",
                                      summary="Synthetic summary."))  # fmt: skip
            save(Source, sources, "sources")
            steps.update()

            people = []
            for i in range(n):
                if rng.random() < 0.7:
                    (first, first_cy), (last, last_cy) = rng.choice(FIRST), rng.choice(LAST)
                    name, original = f"{first} {last}", f"{first_cy} {last_cy}"
                    aliases = [f"{transliterate(first_cy).title()} {last}"] if rng.random() < 0.5 else []
                else:
                    name, original, aliases = f"{rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN)}", "", []
                born, born_precision = partial(rng, datetime.date(1945, 1, 1), datetime.date(2000, 1, 1))
                citizenships = rng.sample(CITIZENSHIPS, 2 if rng.random() < 0.15 else 1)
                people.append(Detainee(
                    name=name, name_original=original, aliases=aliases, citizenships=citizenships,
                    born_on=born, born_on_precision=born_precision, description=rng.choice(DESCRIPTIONS),
                    is_published=rng.random() >= 0.05, slug=f"syn{seed}-{i}-{slugify(name)}"[:90],
                    search_key=search_key(name, original, *aliases),
                    name_ru_sort=russian_sort_key(name, original, aliases),
                ))  # fmt: skip
            save(Detainee, people, "detainees")
            Detainee.sources.through.objects.bulk_create(
                [Detainee.sources.through(detainee_id=p.pk, source_id=rng.choice(sources).pk) for p in people],
                batch_size=batch_size,
            )
            steps.update()

            detentions, holder_of, still_held = [], {}, set()
            for person in people:
                for k in range(1 if rng.random() < 0.72 else 2):
                    detained, precision = partial(
                        rng, datetime.date(1995 + 15 * k, 1, 1), datetime.date(2010 + 15 * k, 1, 1)
                    )
                    held_by = rng.choice(HOLDERS)
                    released = end_reason = None
                    released_precision = "day"
                    if rng.random() < 0.7:
                        released = detained + datetime.timedelta(days=rng.randrange(30, 4000))
                        released = min(released, today)
                        end_reason = rng.choice(["released", "exchanged", "pardoned", "sentence_served", "deported",
                                                 "exchanged", "died_in_custody", "escaped"])  # fmt: skip
                    detentions.append(Detention(
                        detainee_id=person.pk, held_by=held_by, detained_on=detained, detained_on_precision=precision,
                        place="Synthetic city", circumstances="synthetic case", released_on=released,
                        released_on_precision=released_precision, end_reason=end_reason or "",
                    ))  # fmt: skip
                    holder_of[person.pk] = held_by
                    if released is None:
                        still_held.add(person.pk)
            save(Detention, detentions, "detentions")
            Detention.sources.through.objects.bulk_create(
                [Detention.sources.through(detention_id=d.pk, source_id=rng.choice(sources).pk) for d in detentions],
                batch_size=batch_size,
            )
            # Bulk inserts send no signals: derive the stored status of the new people in two UPDATEs.
            Detainee.objects.filter(pk__gte=people[0].pk, pk__lte=people[-1].pk).refresh_status()
            steps.update()

            charges, sentences = [], []
            categories = [c for c, _ in Charge._meta.get_field("category").choices]
            for d in detentions:
                for _ in range(rng.choice([1, 1, 2])):
                    charges.append(Charge(detention_id=d.pk, category=rng.choice(categories),
                                          statute=f"Art. {rng.randrange(100, 400)}",
                                          outcome=rng.choice(OUTCOMES)))  # fmt: skip
                if rng.random() < 0.6:
                    sentenced = d.detained_on + datetime.timedelta(days=rng.randrange(60, 500))
                    life = rng.random() < 0.02
                    sentences.append(Sentence(detention_id=d.pk, court="Synthetic court", sentenced_on=sentenced,
                                              term_months=None if life else rng.randrange(6, 300),
                                              is_life=life))  # fmt: skip
            save(Charge, charges, "charges")
            save(Sentence, sentences, "sentences")
            Charge.sources.through.objects.bulk_create(
                [Charge.sources.through(charge_id=c.pk, source_id=rng.choice(sources).pk) for c in charges],
                batch_size=batch_size,
            )
            Sentence.sources.through.objects.bulk_create(  # published means sourced, synthetic cases too
                [Sentence.sources.through(sentence_id=s.pk, source_id=rng.choice(sources).pk) for s in sentences],
                batch_size=batch_size,
            )
            steps.update()

            designations = [
                Designation(detainee_id=p.pk, authority="Synthetic authority", authority_country=rng.choice(HOLDERS),
                            kind=rng.choice(["wrongfully_detained", "hostage", "political_prisoner"]),
                            designated_on=datetime.date(2020, 1, 1), designated_on_precision="year")
                for p in people if rng.random() < 0.1
            ]  # fmt: skip
            save(Designation, designations, "designations")
            Designation.sources.through.objects.bulk_create(
                [Designation.sources.through(designation_id=g.pk, source_id=rng.choice(sources).pk)
                 for g in designations], batch_size=batch_size,
            )  # fmt: skip
            steps.update()

            # An exchange and its people agree: nobody whose custody is still open on file is exchanged.
            exchanges, participants, pool = [], [], [p.pk for p in people if p.pk not in still_held]
            for i in range(n // 5):
                when, precision = partial(rng, datetime.date(1995, 1, 1), today)
                exchanges.append(Exchange(name=f"Synthetic exchange {seed}-{i}", slug=f"syn{seed}-exchange-{i}",
                                          date=when, date_precision=precision, place="Synthetic airport",
                                          place_country=rng.choice(HOLDERS),
                                          mediators=rng.sample(HOLDERS, rng.choice([0, 1, 2])),
                                          is_published=rng.random() >= 0.05))  # fmt: skip
            save(Exchange, exchanges, "exchanges")
            for e in exchanges:
                size = min(30 if e.pk == exchanges[0].pk else rng.randrange(2, 31), len(pool))
                for person_id in rng.sample(pool, size):
                    released_by = holder_of.get(person_id, "RU")
                    received_by = rng.choice([c for c in HOLDERS if c != released_by])
                    participants.append(ExchangeParticipant(
                        exchange_id=e.pk, detainee_id=person_id, released_by=released_by, received_by=received_by,
                    ))  # fmt: skip
            save(ExchangeParticipant, participants, "participants")
            Exchange.sources.through.objects.bulk_create(
                [Exchange.sources.through(exchange_id=e.pk, source_id=rng.choice(sources).pk) for e in exchanges],
                batch_size=batch_size,
            )
            steps.update()

            statements = []
            for _ in range(n // 10):
                said, precision = partial(rng, datetime.date(2000, 1, 1), today)
                statements.append(Statement(speaker=f"Official {rng.randrange(200)}", speaker_role="Spokesperson",
                                            speaker_country=rng.choice(HOLDERS), said_on=said,
                                            said_on_precision=precision, quote="A synthetic remark.",
                                            source_id=rng.choice(sources).pk))  # fmt: skip
            save(Statement, statements, "statements")
            # Published means sourced, generated cases too: checked like any other write (set-wise, in a few
            # queries), and the whole generation rolls back if one is not.
            problems = integrity.verify({
                "detainees.detainee": Detainee.objects.filter(pk__gte=people[0].pk).values("pk"),
                "exchanges.exchange": Exchange.objects.filter(pk__gte=exchanges[0].pk).values("pk") if exchanges
                else set(),
            })  # fmt: skip
            if problems:
                raise CommandError(f"Generated {len(problems)} unsourced facts, e.g. {problems[0].message}")
            Statement.detainees.through.objects.bulk_create(
                [Statement.detainees.through(statement_id=s.pk, detainee_id=rng.choice(pool)) for s in statements],
                batch_size=batch_size,
            )
            facets.rebuild()
            facets.install()
            steps.update()
        steps.close()
        analyze()
        events = drain_feed(self.stderr)  # a bulk import ends with the change feed current (common.derived)
        summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
        self.stdout.write(f"Generated {summary} in {time.monotonic() - started:.1f} s, 0 errors; {events:,} change "
                          "feed events published.")  # fmt: skip

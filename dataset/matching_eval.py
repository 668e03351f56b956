"""The labelled evaluation set of the name matcher (`common.matching`), and the precision/recall curve over it.

People come from the starter dataset (`dataset/starter.json`, the demo cases included) and from the synthetic
generator's name lists (`generate_synthetic`). Each becomes a record on file; queries are written about them as
reports write names:

- **true pairs**: the original-script name transliterated by BGN/PCGN, ISO 9 (with its diacritics), the Russian
  passport (ICAO 9303), German (Duden) and French conventions; the Latin name with a patronymic or middle name
  added or dropped, surname first ("Gershkovich Evan", "GERSHKOVICH, Evan"), an initial, a one-letter typo; some
  with a birth year or citizenship, as a registry gives them;
- **hard non-pairs**: the same first name with another surname, the same surname with another first name (siblings,
  spouses), the other gender's form of the surname (Ivanov/Ivanova), and namesakes whose birth dates differ.

Deterministic (seeded): the same set every run. `bench/matching_eval.py` prints the curve; the thresholds in
`common.matching` are the ones `pick_thresholds()` chooses from it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
from pathlib import Path

from common import matching

DATASET = Path(__file__).resolve().parent
SEED = 27
SYNTHETIC_PEOPLE = 300

_BASE = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l", "м": "m",
         "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ы": "y"}  # fmt: skip
SYSTEMS = {
    "bgn_pcgn": {**_BASE, "е": "e", "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
                 "щ": "shch", "ъ": "", "ь": "'", "э": "e", "ю": "yu", "я": "ya"},
    "iso9": {**_BASE, "е": "e", "ё": "ë", "ж": "ž", "й": "j", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ",
             "ъ": "ʺ", "ь": "ʹ", "э": "è", "ю": "û", "я": "â"},
    "passport": {**_BASE, "е": "e", "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
                 "щ": "shch", "ъ": "ie", "ь": "", "э": "e", "ю": "iu", "я": "ia"},
    "german": {**_BASE, "в": "w", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "й": "j", "х": "ch", "ц": "z",
               "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ь": "", "э": "e", "ю": "ju", "я": "ja"},
    "french": {**_BASE, "е": "e", "ё": "io", "ж": "j", "й": "ï", "у": "ou", "х": "kh", "ц": "ts", "ч": "tch",
               "ш": "ch", "щ": "chtch", "ъ": "", "ь": "", "э": "e", "ю": "iou", "я": "ia"},
}  # fmt: skip
VOWELS = set("аеёиоуыэюяьъ")
# First names that differ by a few letters but belong to different people.
SIMILAR_FIRST = {
    "Alexei": "Alexander",
    "Maria": "Marina",
    "Yulia": "Yuliana",
    "Ivan": "Ilya",
    "Irina": "Arina",
    "Nikolai": "Nikita",
    "Elena": "Alena",
    "Pavel": "Pyotr",
    "Olga": "Olesya",
    "Andrei": "Artyom",
    "Sergei": "Semyon",
    "Viktor": "Vitaly",
    "Anna": "Alla",
    "Dmitry": "Demyan",
    "John": "Joan",
    "Mary": "Marty",
    "James": "Jane",
    "Robert": "Roberta",
    "Michael": "Michelle",
    "Laura": "Lara",
    "David": "Davis",
    "Emily": "Emil",
    "Sarah": "Susan",
    "Tatiana": "Taisia",
    "Mikhail": "Mikhei",
    "Svetlana": "Stanislava",
    "Natalia": "Natella",
    "Konstantin": "Konstantsia",
    "Ksenia": "Kira",
}
PATRONYMIC_ROOTS = ["Ivan", "Sergey", "Pavel", "Nikolay", "Viktor", "Andrey", "Petr", "Mikhail", "Aleksandr"]


def transliterate(text: str, system: str) -> str:
    """Russian Cyrillic in one romanisation system; BGN/PCGN writes е as "ye" at the start of a word and after a
    vowel."""
    table, out = SYSTEMS[system], []
    for word in text.split():
        letters = []
        for i, ch in enumerate(word):
            low = ch.lower()
            value = table.get(low, low)
            if system == "bgn_pcgn" and low == "е" and (i == 0 or word[i - 1].lower() in VOWELS):
                value = "ye"
            letters.append(value.capitalize() if ch.isupper() else value)
        out.append("".join(letters))
    return " ".join(out)


@dataclasses.dataclass
class Person:
    name: str
    name_original: str = ""
    aliases: tuple[str, ...] = ()
    born_on: datetime.date | None = None
    born_on_precision: str = "day"
    citizenships: tuple[str, ...] = ()
    female: bool = False

    def record(self) -> matching.Record:
        names = [n for n in (self.name, self.name_original, *self.aliases) if n]
        return matching.Record(names=names, born_on=self.born_on, born_on_precision=self.born_on_precision,
                               citizenships=list(self.citizenships))  # fmt: skip


@dataclasses.dataclass
class Pair:
    kind: str  # how the query was written ("iso9", "typo", "sibling", …)
    same: bool  # the label: the query is about the person on file
    query: matching.Record
    on_file: matching.Record


def people(rng: random.Random) -> list[Person]:
    """The starter dataset's people, then synthetic ones built from the generator's name lists."""
    from dataset.management.commands.generate_synthetic import CITIZENSHIPS, FIRST, LAST, WESTERN, WESTERN_FIRST

    found, seen = [], set()
    for file in ("starter.json", "demo.json"):
        for row in json.loads((DATASET / file).read_text())["records"]["detainees.detainee"]:
            f = row["fields"]
            if f["name"] in seen:
                continue
            seen.add(f["name"])
            born = datetime.date.fromisoformat(f["born_on"]) if f.get("born_on") else None
            found.append(Person(f["name"], f.get("name_original") or "", tuple(f.get("aliases") or ()), born,
                                f.get("born_on_precision") or "day",
                                tuple(c for c in (f.get("citizenships") or "").split(",") if c)))  # fmt: skip
    for _ in range(SYNTHETIC_PEOPLE):
        born = datetime.date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.75:
            (first, first_cy), (last, last_cy) = rng.choice(FIRST), rng.choice(LAST)
            female = first_cy[-1] in "ая"
            if female:
                last, last_cy = last + "a", last_cy + "а"
            found.append(Person(f"{first} {last}", f"{first_cy} {last_cy}", (), born, "day",
                                (rng.choice(["RU", "RU", "UA", "BY", "US", "IL"]),), female))  # fmt: skip
        else:
            found.append(Person(f"{rng.choice(WESTERN_FIRST)} {rng.choice(WESTERN)}", "", (), born, "day",
                                (rng.choice(CITIZENSHIPS),)))  # fmt: skip
    # A synthetic namesake of someone already drawn is one person for this set (the non-pairs add namesakes).
    unique, names = [], set()
    for p in found:
        if p.name not in names:
            names.add(p.name)
            unique.append(p)
    return unique


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _evidence(person: Person, rng: random.Random) -> dict:
    """What a registry may give beside the name: sometimes the birth year or date, sometimes a citizenship."""
    extra = {}
    if person.born_on and rng.random() < 0.4:
        extra["born_on"], extra["born_on_precision"] = person.born_on, rng.choice(["year", "day"])
    if person.citizenships and rng.random() < 0.3:
        extra["citizenships"] = [rng.choice(person.citizenships)]
    return extra


def true_queries(person: Person, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, name) as reports write this person's name."""
    out = []
    if any("\u0400" <= ch <= "\u04ff" for ch in person.name_original):  # Cyrillic on file: romanise it
        for system in SYSTEMS:
            out.append((system, transliterate(person.name_original, system)))
    words = person.name.split()
    if len(words) >= 2:
        first, last = words[0], words[-1]
        root = rng.choice(PATRONYMIC_ROOTS)
        patronymic = root + ("ovna" if person.female else "ovich")
        out += [
            ("surname first", f"{last} {' '.join(words[:-1])}"),
            ("registry style", f"{last.upper()}, {' '.join(words[:-1])}"),
            ("initial", f"{first[0]}. {last}"),
            ("typo", " ".join([*words[:-1], _typo(last, rng)])),
            ("middle name dropped" if len(words) > 2 else "middle name added",
             f"{first} {last}" if len(words) > 2 else f"{first} {patronymic if person.name_original else 'J.'} {last}"),
        ]  # fmt: skip
    return out


def hard_negatives(person: Person, pool: list[Person], rng: random.Random) -> list[tuple[str, Person]]:
    """(kind, other person) that a careless matcher would take for this one."""
    words = person.name.split()
    if len(words) < 2:
        return []
    first, last = words[0], words[-1]
    out = []
    same_first = [p for p in pool if p.name.split()[0] == first and p.name.split()[-1] != last]
    same_last = [p for p in pool if p.name.split()[-1] == last and p.name.split()[0] != first]
    if same_first:
        out.append(("same first name", rng.choice(same_first)))
    if same_last:
        out.append(("same surname (sibling)", rng.choice(same_last)))
    other_gender = last[:-1] if last.endswith("a") else last + "a"
    if person.name_original and last.endswith(("ov", "ova", "ev", "eva", "in", "ina")):
        out.append(("other gender's surname", dataclasses.replace(person, name=f"{first} {other_gender}",
                                                                  name_original="", aliases=())))  # fmt: skip
    if first in SIMILAR_FIRST:  # another name that looks alike: Alexei and Alexander are two people
        out.append(
            (
                "similar first name",
                dataclasses.replace(
                    person, name=f"{SIMILAR_FIRST[first]} {last}", name_original="", aliases=(), born_on=None
                ),
            )
        )
    if person.name_original and len(last) > 4:  # a longer surname on the same stem: Sokolov and Sokolovsky
        stem = last[:-1] if last.endswith("a") else last
        longer = rng.choice([stem + "sky", stem[:-2] + "enko", stem + "ich"]) if not person.female else stem + "skaya"
        out.append(
            (
                "surname on the same stem",
                dataclasses.replace(person, name=f"{first} {longer}", name_original="", aliases=(), born_on=None),
            )
        )
    if person.born_on:
        other = person.born_on.replace(year=person.born_on.year + rng.choice([-30, -12, 9, 21]))
        out.append(("namesake, other birth date", dataclasses.replace(person, born_on=other, aliases=())))
    return out


def evaluation_set(seed: int = SEED) -> list[Pair]:
    rng = random.Random(seed)
    pool = people(rng)
    pairs = []
    for person in pool:
        on_file = person.record()
        for kind, name in true_queries(person, rng):
            pairs.append(Pair(kind, True, matching.Record(names=[name], **_evidence(person, rng)), on_file))
        for kind, other in hard_negatives(person, pool, rng):
            query = matching.Record(names=[other.name], **_evidence(other, rng))
            if kind == "namesake, other birth date":  # a registry naming the namesake gives the birth date
                query.born_on, query.born_on_precision = other.born_on, "day"
            pairs.append(Pair(kind, False, query, on_file))
    return pairs


def curve(pairs: list[Pair]) -> list[dict]:
    """Precision and recall of "score ≥ t" for t from 0.50 to 0.99."""
    scored = [(matching.compare(p.query, p.on_file).score, p.same) for p in pairs]
    positives = sum(same for _s, same in scored)
    rows = []
    for step in range(50, 100):
        t = step / 100
        tp = sum(1 for s, same in scored if s >= t and same)
        fp = sum(1 for s, same in scored if s >= t and not same)
        precision = tp / (tp + fp) if tp + fp else 1.0
        rows.append({"threshold": t, "precision": precision, "recall": tp / positives, "tp": tp, "fp": fp,
                     "fn": positives - tp})  # fmt: skip
    return rows


def f_score(row: dict, beta: float) -> float:
    p, r = row["precision"], row["recall"]
    return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0


def pick_thresholds(rows: list[dict]) -> tuple[float, float]:
    """(auto-match, duplicate warning), read off the curve.

    Auto-match weighs precision twice as much as recall (the best F0.5; among equals, the highest threshold: the
    same measured result with the widest margin). The duplicate warning weighs recall twice as much as precision (the
    best F2; among equals, the lowest: an editor reads the warning, a missed duplicate is the worse mistake)."""
    best_auto = max(round(f_score(r, 0.5), 6) for r in rows)
    auto = max(r["threshold"] for r in rows if round(f_score(r, 0.5), 6) == best_auto)
    best_warning = max(round(f_score(r, 2), 6) for r in rows)
    warning = min(r["threshold"] for r in rows if round(f_score(r, 2), 6) == best_warning)
    return auto, warning

"""Article intake: what a pasted news report names that is already on file.

Finds the detainees whose name, original-script name or alias occurs in the text (accent-, case- and
transliteration-insensitive), the outlets and officials on file that it names, and the dates it mentions.

A full name matches on folded words ("Victor Bout", "Viktor Bout" and "Бут"-spellings alike). A surname on its own
matches only when it is written capitalised, is not a common English word, and matches its transliterated spelling
exactly: folding alone would make the word "but" match "Bout".
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone

from common.matching import DUPLICATE_THRESHOLD, TextIndex, compare_names
from common.matching import words as matching_words
from common.text import search_words, transliterate
from sources.models import Outlet, Statement

from .models import Detainee

COMMON_WORDS = set(
    """a an and are as at be but by can do for from had has have he her his in is it its may more most much new no
    not of on one or our out over red reed said says see she so than that the their them then there they this to
    under up us was we were what when which who will with would you long young white black green brown rose hope
    may bush king page price young little""".split()
)
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))


@dataclass
class Match:
    """Something on file that the text names, with how sure the match is."""

    obj: object
    how: str  # "full name", "surname", "name"
    found: str  # the words as they appear in the text
    strong: bool = True


@dataclass
class FoundDate:
    text: str
    date: datetime.date
    precision: str


@dataclass
class NewName:
    """Words that look like a person's full name, with nobody on file by that name."""

    name: str
    mentions: int


@dataclass
class IntakeResult:
    detainees: list[Match] = field(default_factory=list)
    outlets: list[Match] = field(default_factory=list)
    officials: list[Match] = field(default_factory=list)  # speakers of statements with no official on file
    officials_on_file: list[Match] = field(default_factory=list)  # Official records, any spelling or alias
    dates: list[FoundDate] = field(default_factory=list)
    new_names: list[NewName] = field(default_factory=list)  # people it names who have no case on file


def _contains_sequence(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _surname_in(text: str, surname: str) -> str | None:
    """The capitalised surname as written in `text`, matched on its transliterated spelling."""
    plain = transliterate(surname)
    if len(plain) < 4 or plain in COMMON_WORDS:
        return None
    for word in re.findall(r"[^\W\d_][\w'-]*", text):
        if word[:1].isupper() and transliterate(word) == plain:
            return word
    return None


def match_detainees(text: str, candidates=None) -> list[Match]:
    """Detainees on file named in `text`: a full name first; else a distinctive surname."""
    index = TextIndex(text)  # the one matcher (common.matching): spellings, scripts, optional middle names
    people = candidates if candidates is not None else Detainee.objects.only("id", "name", "name_original", "aliases")
    matches = []
    for person in people:
        names = [n for n in [person.name, person.name_original, *(person.aliases or [])] if n]
        full = next((n for n in names if len(n.split()) > 1 and index.find(n)), None)
        if full:
            matches.append(Match(person, "full name", full))
            continue
        for name in names:
            found = _surname_in(text, name.split()[-1])
            if found:
                matches.append(Match(person, "surname", found, strong=False))
                break
    return matches


def match_outlets(text: str) -> list[Match]:
    lowered = text.lower()
    found = []
    for outlet in Outlet.objects.only("id", "name"):
        pattern = r"(?<!\w)" + re.escape(outlet.name.lower()) + r"(?!\w)"
        if re.search(pattern, lowered):
            found.append(Match(outlet, "name", outlet.name))
    return found


def match_official_records(text: str) -> list[Match]:
    """Officials on file named in `text` by name, original-script name or alias, in any spelling ("Sergey" for
    "Sergei"); a distinctive surname alone is a weak match."""
    from sources.models import Official

    words = search_words(text)
    found = []
    for official in Official.objects.only("id", "name", "name_original", "aliases", "role", "country"):
        names = [n for n in [official.name, official.name_original, *(official.aliases or [])] if n]
        full = next((n for n in names if len(n.split()) > 1 and _contains_sequence(words, search_words(n))), None)
        if full:
            found.append(Match(official, "full name", full))
        elif surname := _surname_in(text, official.name.split()[-1]):
            found.append(Match(official, "surname", surname, strong=False))
    return found


def match_officials(text: str) -> list[Match]:
    """Speakers of statements not linked to an official on file whom the text names (one per distinct speaker):
    the intake page offers to create their official record."""
    words = search_words(text)
    seen, found = set(), []
    statements = Statement.objects.filter(official=None).only("id", "speaker", "speaker_role", "speaker_country")
    for statement in statements.order_by("-said_on"):
        speaker = statement.speaker
        if speaker in seen:
            continue
        if _contains_sequence(words, search_words(speaker)):
            found.append(Match(statement, "full name", speaker))
        elif surname := _surname_in(text, speaker.split()[-1]):
            found.append(Match(statement, "surname", surname, strong=False))
        else:
            continue
        seen.add(speaker)
    return found


def find_dates(text: str, reference: datetime.date | None = None) -> list[FoundDate]:
    """Dates the text mentions, each with the precision it gives: "17 August 2023", "Dec. 9", "in February", "2008".

    A day or month given without a year is placed in the year of `reference` (the article's date), or the year
    before when that would put it after the article.
    """
    reference = reference or timezone.localdate()
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(m, date, precision):
        if any(a <= m.start() < b for a, b in taken):
            return
        taken.append(m.span())
        found.append(FoundDate(m.group(0), date, precision))

    def safe(year, month, day=1):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None

    def in_year_before(month, day):
        date = safe(reference.year, month, day)
        return safe(reference.year - 1, month, day) if date and date > reference else date

    patterns = [
        (r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: (safe(int(m[1]), int(m[2]), int(m[3])), "day")),
        (rf"\b(\d{{1,2}})\s+({MONTH_RE})\.?,?\s+(\d{{4}})\b",
         lambda m: (safe(int(m[3]), MONTHS[m[2].lower()], int(m[1])), "day")),
        (rf"\b({MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b",
         lambda m: (safe(int(m[3]), MONTHS[m[1].lower()], int(m[2])), "day")),
        (rf"\b({MONTH_RE})\.?\s+(\d{{4}})\b", lambda m: (safe(int(m[2]), MONTHS[m[1].lower()]), "month")),
        (rf"\b({MONTH_RE})\.?\s+(\d{{1,2}})\b(?!\s*,?\s*\d{{4}})",
         lambda m: (in_year_before(MONTHS[m[1].lower()], int(m[2])), "day")),
        (rf"\b(?:in|since|until|from|by) ({MONTH_RE})\b(?!\.?\s+\d)",
         lambda m: (in_year_before(MONTHS[m[1].lower()], 1), "month")),
        (r"\b(19[5-9]\d|20\d\d)\b", lambda m: (safe(int(m[1]), 1), "year")),
    ]  # fmt: skip
    for pattern, parse in patterns:
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            month = re.search(rf"\b({MONTH_RE})\b", m.group(0), flags=re.IGNORECASE)
            if month and month.group(0)[0].islower():
                continue  # "may 2020" in lower case is more likely the verb than the month
            date, precision = parse(m)
            if date:
                add(m, date, precision)
    return sorted(found, key=lambda d: d.date)


# Capitalised words that begin names of things, not of people ("State Department", "Supreme Court", "Mr").
NOT_NAME_WORDS = set(
    """mr mrs ms dr sir president minister secretary spokesman spokeswoman spokesperson ambassador general colonel
    judge prosecutor lawyer attorney senator representative governor mayor prime deputy foreign state department
    ministry court supreme district city regional federal national international united republic kingdom union
    news times post press agency service bureau office embassy council committee house white kremlin prison colony
    centre center airport university group party army navy force forces police security intelligence fsb fbi cia
    kgb us usa uk eu un nato north south east west northern southern eastern western new saint st lake river street
    staff sergeant soldier marine corporal private lieutenant captain major officer journalist reporter editor
    correspondent activist artist student teacher businessman businesswoman citizen national
    yesterday today tomorrow earlier later meanwhile however after before when while although since during
    according last next
    monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december associated reuters tass ria novosti interfax bbc cnn""".split()
)
NAME_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*"
CAPITALISED_RUN = re.compile(rf"(?<![\w.])({NAME_WORD}(?:\s+{NAME_WORD})*)(?![\w])")


def find_new_names(text: str, known: list[str]) -> list[NewName]:
    """Runs of two or three capitalised words that look like a person's name ("Gordon Black", "Anna Dultseva")
    and are not on file: not a case, an official, an outlet, a country or a place word. An offer for the editor,
    who decides; the most mentioned first."""
    from django_countries import countries

    place_words = {w.lower() for _, name in countries for w in re.findall(r"[A-Za-z]+", name)}
    known_keys = {" ".join(search_words(n)) for n in known if n}
    known_words = {w for key in known_keys for w in key.split()}
    by_word: dict[str, list[str]] = {}  # known names by their folded words, for the matcher to compare with
    for n in known:
        for w in set(matching_words(n or "")):
            by_word.setdefault(w, []).append(n)

    def on_file(name: str) -> bool:
        """Someone on file by this name in another spelling ("Evan Gershkovitch"), by the one matcher."""
        others = {o for w in matching_words(name) for o in by_word.get(w, ())}
        return any(compare_names(name, o).score >= DUPLICATE_THRESHOLD for o in others)

    counts: dict[str, int] = {}
    for m in CAPITALISED_RUN.finditer(text):
        words = m.group(1).split()
        # Keep what follows the last title or institution word ("Army Staff Sergeant Gordon Black"), then drop
        # a sentence's first word ("Yesterday Gordon Black", "The …").
        cut = max((i + 1 for i, w in enumerate(words) if w.lower() in NOT_NAME_WORDS), default=0)
        words = words[cut:]
        while len(words) > 2 and (words[0].lower() in COMMON_WORDS or words[0].lower() in place_words):
            words = words[1:]
        if not 2 <= len(words) <= 3 or words[0].lower() in COMMON_WORDS:
            continue
        if any(w.lower() in place_words for w in words):
            continue
        name = " ".join(words)
        key = " ".join(search_words(name))
        if key in known_keys or all(w in known_words for w in key.split()) or on_file(name):
            continue
        counts[name] = counts.get(name, 0) + 1
    for name in [n for n in counts if len(n.split()) == 3]:
        tail = " ".join(name.split()[1:])
        if tail in counts:  # "Friday Gordon Black" is "Gordon Black" at a sentence's start
            counts[tail] += counts.pop(name)
    return [NewName(n, c) for n, c in sorted(counts.items(), key=lambda item: -item[1])][:15]


def analyse(text: str, published_on: datetime.date | None = None) -> IntakeResult:
    """Everything on file that an article names; `published_on` dates the days and months given without a year."""
    result = IntakeResult(
        detainees=match_detainees(text),
        outlets=match_outlets(text),
        officials=match_officials(text),
        officials_on_file=match_official_records(text),
        dates=find_dates(text, published_on),
    )
    from sources.models import Official

    known = [*Detainee.objects.values_list("name", flat=True), *Official.objects.values_list("name", flat=True),
             *(m.obj.speaker for m in result.officials), *(o.obj.name for o in result.outlets)]  # fmt: skip
    for person in Detainee.objects.only("aliases").exclude(aliases=[]):
        known += person.aliases or []
    result.new_names = find_new_names(text, known)
    return result

"""The one name matcher: whether two records name the same person, with a score and the reasons for it.

Everything that asks "is this person already on file?" asks it here: the reconciliation service
(`/api/reconcile/`), the admin's and the API's duplicate warnings, the editors' desk, article intake and the CSV
import preview. It knows no app: callers hand it names, birth dates and citizenships as plain values.

**Names.** Reports spell one name many ways: "Евгений Гершкович", "Yevgeniy Gershkovich" (BGN/PCGN),
"Evgenii Gershkovich" (passport, ICAO 9303), "Evgenij Gerškovič" (ISO 9), "Jewgeni Gerschkowitsch" (German),
"Gershkovitch" (French). Each word is folded to a skeleton that these systems agree on (ч, х, ш, щ, ж and their
diacritic and digraph spellings; з and ц as German writes them, s and z; й/ы/и; ё/е/ъ/ь; doubled letters), then
words are paired by Jaro-Winkler similarity (a vowel sound written two ways, Pol and Paul, counts as one) in any
order ("Gershkovich Evan" as court registries write it). A word left over on one side costs little when it is a
middle name, a patronymic or an initial ("Paul Nicholas Whelan" is "Paul Whelan"), and much when it is not (a
different surname). Every name of a record counts: the name, the original-script name, aliases.

**Evidence.** A birth date or citizenship on both sides moves the score: the same birth year (or day) raises it,
a different one lowers it sharply; a shared citizenship raises it a little, none shared lowers it a little
(people gain and lose citizenships, and records list them incompletely).

Scores run from 0 to 1. `AUTO_MATCH_THRESHOLD` and `DUPLICATE_THRESHOLD` are chosen from the precision/recall
curve over the labelled evaluation set (`bench/matching_eval.py`, figures in the README), not by hand;
`tests/matching/test_evaluation.py` recomputes the curve and checks the constants are the ones it picks.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence

# Read off the precision/recall curve of the labelled evaluation set by bench/matching_eval.py (the rule is
# dataset.matching_eval.pick_thresholds): auto-match at the best F0.5, the duplicate warning at the best F2.
AUTO_MATCH_THRESHOLD = 0.89
DUPLICATE_THRESHOLD = 0.67
# An auto-match must stand clear of the runner-up: two people this alike are for a person to choose between.
AUTO_MATCH_MARGIN = 0.08

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
# Latin letters with diacritics that stand for a digraph (ISO 9, Czech/Polish/Croatian spellings of Slavic names),
# replaced before accents are stripped: "Gerškovič" must become "gershkovich", not "gerskovic".
_LATIN = {
    "č": "ch", "ć": "ch", "š": "sh", "ś": "sh", "ž": "zh", "ź": "zh", "ż": "zh", "ŝ": "shch", "û": "yu",
    "â": "ya", "ë": "yo", "ł": "l", "ø": "o", "ß": "ss", "ı": "i", "đ": "dj",
}  # fmt: skip
_MARKS = "'’ʼʹʺ`´\""  # apostrophes and soft/hard-sign marks: "Ol'ga" is one word

# Skeleton folds, in order (longest first where they overlap). Both sides are folded alike, so a fold that merges
# two sounds can only make more pairs alike; each one here merges spellings that transliteration systems disagree on.
_FOLDS = [
    (r"tsch", "ch"), (r"shch", "sh"), (r"sch", "sh"), (r"tch", "ch"), (r"dzh", "j"), (r"dsch", "j"), (r"dj", "j"),
    (r"tz", "ts"), (r"ck", "k"), (r"kh", "h"), (r"ch", "h"), (r"c(?=[eiy])", "s"), (r"c(?=[lrtkh])", "k"),
    (r"c", "ts"), (r"zh", "j"), (r"z", "s"), (r"ts", "s"), (r"q", "k"),
    (r"x", "ks"), (r"ph", "f"), (r"w", "v"), (r"ou", "u"), (r"oo", "u"), (r"j", "i"), (r"y", "i"), (r"ii+", "i"),
    (r"io", "e"), (r"ie", "e"), (r"ei", "e"), (r"ai", "a"), (r"ff$", "v"), (r"([a-z])\1", r"\1"),
]  # fmt: skip
_FOLD_RES = [(re.compile(p), r) for p, r in _FOLDS]
_PATRONYMIC = re.compile(r"(ovih|evih|ovna|evna|ihna|ogli|oglu|kizi|uli)$")  # endings, as folded


def latin(text: str) -> str:
    """Lower-case ASCII letters, digits and spaces: Cyrillic transliterated, diacritics spelled out or stripped."""
    text = unicodedata.normalize("NFC", text.lower())
    for mark in _MARKS:
        text = text.replace(mark, "")
    text = "".join(_CYRILLIC.get(ch) or _LATIN.get(ch) or ch for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.encode("ascii", "ignore").decode()).strip()


@functools.lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """The skeleton of one transliterated word: "gershkovitch", "gerschkowitsch" and "gershkovich" → "gershkovih"."""
    for pattern, repl in _FOLD_RES:
        word = pattern.sub(repl, word)
    return word


@functools.lru_cache(maxsize=16384)
def raw_words(name: str) -> tuple[str, ...]:
    """The transliterated words of a name before folding (a slip of the pen shows best there)."""
    return tuple(latin(name).split())


@functools.lru_cache(maxsize=16384)
def words(name: str) -> tuple[str, ...]:
    """The folded words of a name, in order."""
    return tuple(fold(w) for w in raw_words(name))


@functools.lru_cache(maxsize=262144)
def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two words, 0 to 1 (1: equal)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    reach = max(max(la, lb) // 2 - 1, 0)
    used = [False] * lb
    matched_a = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - reach), min(lb, i + reach + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                matched_a.append(ch)
                break
    m = len(matched_a)
    if not m:
        return 0.0
    matched_b = [b[j] for j in range(lb) if used[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) / 2
    jaro = (m / la + m / lb + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


WORD_MATCH = 0.84  # two words this alike (Jaro-Winkler on skeletons) are one word spelt two ways


@functools.lru_cache(maxsize=262144)
def edits(a: str, b: str) -> int:
    """Letters to change, add, drop or swap (optimal string alignment distance) to turn `a` into `b`."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _word_score(a: str, b: str) -> float:
    """How alike two folded words are. Spelling systems are already folded away, so what differs now is either a
    slip (one letter in a word of four or more) or another name: Sokolov is not Sokolovsky, Novikova is not
    Novikovskaya, Alexei is not Alexander, Ivanov is not Ivanova."""
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial: "P." stands for Paul, but says less than the name written out
        return 0.9 if a[0] == b[0] else 0.0
    if len(a) >= 5 and (a == b + "a" or b == a + "a"):  # Ivanov and Ivanova: a brother and a sister, often
        return 0.6
    shorter, d = min(len(a), len(b)), edits(a, b)
    if d == 1 and shorter >= 4:
        return 0.92 if a[0] == b[0] else 0.8  # a slip rarely hits the first letter: Elena and Alena are two names
    if a[0] == b[0] and _one_vowel_apart(a, b):
        return VOWEL_VARIANT
    return 0.8 * jaro_winkler(a, b)


VOWEL_VARIANT = 0.88  # two words one vowel sound apart: "Pol" and "Paul", "Mohamed" and "Mohamad"
_SYLLABLES = re.compile(r"[aeiou]+|[^aeiou]+")


def _one_vowel_apart(a: str, b: str) -> bool:
    """Whether two words differ in one run of vowels only, consonants all in place: a vowel heard and written
    another way ("Pol" for Paul, as Russian writes it back: Пол), which Jaro-Winkler scores low in a short word.
    Two vowels changed is another name (Natalia and Natella)."""
    pa, pb = _SYLLABLES.findall(a), _SYLLABLES.findall(b)
    if len(pa) != len(pb):
        return False
    differ = [(x, y) for x, y in zip(pa, pb, strict=True) if x != y]
    return len(differ) == 1 and differ[0][0][0] in "aeiou" and differ[0][1][0] in "aeiou"


def _optional(word: str, position: int, length: int) -> bool:
    """A word that one spelling of a name may leave out: a patronymic, an initial, a middle name."""
    return len(word) == 1 or bool(_PATRONYMIC.search(word)) or 0 < position < length - 1


@dataclasses.dataclass(frozen=True)
class NameMatch:
    score: float  # 0 to 1
    exact: bool  # the same words, in any order, once folded
    words_paired: int
    words_missing: int  # words of either name with no counterpart that a name cannot drop


def compare_names(a: str, b: str) -> NameMatch:
    """How alike two names are, whatever the script, spelling system, word order and optional middle words."""
    return _compare_words(words(a), words(b), raw_words(a), raw_words(b))


@functools.lru_cache(maxsize=65536)
def _compare_words(wa: tuple[str, ...], wb: tuple[str, ...], raw_a=None, raw_b=None) -> NameMatch:
    if not wa or not wb:
        return NameMatch(0.0, False, 0, 0)
    if sorted(wa) == sorted(wb):
        return NameMatch(1.0, True, len(wa), 0)
    raw_a, raw_b = raw_a or wa, raw_b or wb
    pairs = sorted(
        (
            (1.0 if x == y else max(_word_score(x, y), _word_score(raw_a[i], raw_b[j])), i, j)
            for i, x in enumerate(wa)
            for j, y in enumerate(wb)
        ),
        reverse=True,
    )
    used_a, used_b, paired = set(), set(), []
    for sim, i, j in pairs:
        if sim < WORD_MATCH:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        paired.append(sim)
    if not paired:
        return NameMatch(0.0, False, 0, len(wa) + len(wb))
    missing = optional = 0
    for ws, used in ((wa, used_a), (wb, used_b)):
        for i, w in enumerate(ws):
            if i not in used:
                if _optional(w, i, len(ws)):
                    optional += 1
                else:
                    missing += 1
    score = sum(paired) / len(paired)
    # One shared word is thin evidence when both names have more ("Ivan Petrov" and "Ivan Sidorov").
    if len(paired) == 1 and min(len(wa), len(wb)) > 1:
        score *= 0.6
    score *= 0.97**optional * 0.7**missing
    return NameMatch(round(score, 4), False, len(paired), missing)


@dataclasses.dataclass
class Record:
    """What the matcher knows of one person (or group, official, exchange): names and optional evidence."""

    names: Sequence[str]
    born_on: datetime.date | None = None
    born_on_precision: str = "day"  # "day", "month" or "year", as partial dates are stored
    citizenships: Iterable[str] = ()
    # Further evidence by property id, compared only when both sides have it: dates ("arrested_on": any of the
    # candidate's arrests) as (date, precision) pairs, and codes ("held_by": countries or group names).
    dates: dict[str, list[tuple[datetime.date, str]]] = dataclasses.field(default_factory=dict)
    codes: dict[str, set[str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, obj) -> Record:
        """From a model instance with `name`, `name_original`, `aliases` (and for people birth and citizenships)."""
        names = [n for n in [obj.name, getattr(obj, "name_original", ""), *(getattr(obj, "aliases", None) or [])]
                 if n]  # fmt: skip
        return cls(
            names=names,
            born_on=getattr(obj, "born_on", None),
            born_on_precision=getattr(obj, "born_on_precision", "day") or "day",
            citizenships=[getattr(c, "code", c) for c in (getattr(obj, "citizenships", None) or [])],
        )


@dataclasses.dataclass
class Match:
    """A scored comparison: `score` 0 to 1 and the `features` that explain it."""

    score: float
    name: NameMatch
    name_matched: str  # the candidate's name that matched best
    features: dict[str, float | bool]


def _same_date(a: datetime.date, pa: str, b: datetime.date, pb: str) -> bool | None:
    """Whether two partial dates agree at the coarser of their precisions."""
    if "year" in (pa, pb):
        return a.year == b.year
    if "month" in (pa, pb):
        return (a.year, a.month) == (b.year, b.month)
    return a == b


def compare(query: Record, candidate: Record) -> Match:
    """The matcher: the best pairing of any name of `query` with any name of `candidate`, moved by evidence."""
    best, best_name = NameMatch(0.0, False, 0, 0), ""
    for qn in query.names:
        for cn in candidate.names:
            m = compare_names(qn, cn)
            if m.score > best.score:
                best, best_name = m, cn
    score = best.score
    features: dict[str, float | bool] = {
        "name": round(best.score, 4),
        "name_exact": best.exact,
        "alias": bool(best_name) and best_name != candidate.names[0],
    }
    if query.born_on and candidate.born_on:
        agree = _same_date(query.born_on, query.born_on_precision, candidate.born_on, candidate.born_on_precision)
        features["born_on"] = 1 if agree else -1
        score = score + 0.08 * (1 - score) if agree else score - 0.35
    q_cit = {c.upper() for c in query.citizenships if c}
    c_cit = {c.upper() for c in candidate.citizenships if c}
    if q_cit and c_cit:
        shared = bool(q_cit & c_cit)
        features["citizenship"] = 1 if shared else -1
        score = score + 0.03 * (1 - score) if shared else score - 0.12
    for key, wanted in query.dates.items():
        have = candidate.dates.get(key)
        if wanted and have:
            agree = any(_same_date(a, pa, b, pb) for a, pa in wanted for b, pb in have)
            features[key] = 1 if agree else -1
            score = score + 0.05 * (1 - score) if agree else score - 0.15
    for key, wanted in query.codes.items():
        have = candidate.codes.get(key)
        if wanted and have:
            agree = bool({w.casefold() for w in wanted} & {h.casefold() for h in have})
            features[key] = 1 if agree else -1
            score = score + 0.03 * (1 - score) if agree else score - 0.1
    score = min(max(score, 0.0), 1.0)
    features["score"] = round(score, 4)
    return Match(round(score, 4), best, best_name, features)


def rank(query: Record, candidates: Iterable[tuple[object, Record]], *, threshold: float = 0.0) -> list:
    """(key, Match) for candidates scoring at least `threshold`, best first."""
    scored = [(key, compare(query, rec)) for key, rec in candidates]
    scored = [(k, m) for k, m in scored if m.score >= threshold and m.score > 0]
    scored.sort(key=lambda km: -km[1].score)
    return scored


def auto_match(scored: Sequence[tuple[object, Match]]) -> object | None:
    """The one candidate safe to take without a person looking: above the auto-match threshold and clear of the
    runner-up."""
    if not scored or scored[0][1].score < AUTO_MATCH_THRESHOLD:
        return None
    if len(scored) > 1 and scored[0][1].score - scored[1][1].score < AUTO_MATCH_MARGIN:
        return None
    return scored[0][0]


# German spellings of з and ц as the stored names (English, BGN/PCGN, passports) write them: s for z, z for ts.
_SIBILANTS = {"s": ("s", "z"), "z": ("z", "ts")}
_GERMAN = re.compile(r"w|j|sch")  # в, й and ш as German writes them: the word is spelt the German way
SHORT_WORD = 4
# Vowels that spellings of one name swap (Paul, Pol as Russian writes it back; Dan, Don), looked up in a short
# word's first syllable; each one more prefix for the database to look up, so only these.
_VOWELS_HEARD_ALIKE = {"a": ("o", "au"), "o": ("a", "au"), "au": ("o", "a"), "e": ("i",), "i": ("e",), "u": ("o",)}


def _spellings(word: str) -> set[str]:
    """A transliterated word and the spellings of its start that the stored search key (`common.text`) does not
    fold together but the matcher does: in a word spelt the German way, s and z for з and ц as stored names write
    them, z and ts (Kusnezow for Kuznetsov, Sajzew for Zaitsev), and in a short word (a given name: longer ones
    pair by their start) the first vowel after a consonant (Pol, Paul). Few: each is another prefix the database
    looks up."""
    found = {word}
    if _GERMAN.search(word):  # only there: every word starting with s would otherwise cost a second look-up
        head, tail = word[:4], word[4:]
        found |= {"".join(parts) + tail for parts in itertools.product(*(_SIBILANTS.get(t, (t,)) for t in head))}
    run = re.match(r"[^aeiouy]([aeiouy]+)", word)
    if run and len(word) <= SHORT_WORD:
        found |= {word[0] + vowel + word[run.end() :] for vowel in _VOWELS_HEARD_ALIKE.get(run.group(1), ())}
    return found


def blocking_groups(names: Iterable[str]) -> list[frozenset[str]]:
    """For each word of the names, the short pieces its stored key may start with (`common.text`'s spelling), for
    the database to fetch the candidates worth comparing: every record sharing the start of a word with a query
    name, in any spelling the matcher pairs."""
    from common.text import search_words

    groups = set()
    for name in names:
        for word in latin(name).split():
            keys = {w[:3] for spelling in _spellings(word) for w in search_words(spelling)[:1] if len(w) >= 2}
            if keys:
                groups.add(frozenset(keys))
    return sorted(groups, key=sorted)


def blocking_keys(names: Iterable[str]) -> set[str]:
    """Every piece of `blocking_groups`."""
    return set().union(*blocking_groups(names))


CANDIDATES_READ = 3000  # at most this many rows compared per query; a block this big means a very common name part


def find(
    queryset,
    query: Record,
    *,
    threshold: float,
    limit: int = 10,
    exclude_pk=None,
    record_of=None,
    read: int = CANDIDATES_READ,
) -> list:
    """(record, Match) for the rows of `queryset` (any model with `name`, `name_original`, `aliases` and the folded
    `search_key`) that match `query` at `threshold` or more, best first.

    The database fetches the rows sharing the start of a word with a query name (a `LIKE` on the stored key, which
    PostgreSQL answers from its trigram index); the matcher scores `read` of them at most.
    """
    from django.db.models import Case, IntegerField, Q, Value, When

    groups = blocking_groups(query.names)
    if not groups:
        return []
    conditions = []
    for keys in groups:
        condition = Q()
        for key in sorted(keys):
            condition |= Q(search_key__contains=f" {key}")  # every word of a stored key follows a space
        conditions.append(condition)
    block = Q()
    for condition in conditions:
        block |= condition
    rows = queryset.filter(block)
    if len(conditions) > 1:
        # Two words in common at least (a first name alone fetches every Ivan), most in common first.
        shared = sum((Case(When(c, then=Value(1)), default=Value(0), output_field=IntegerField()) for c in conditions),
                     Value(0))  # fmt: skip
        rows = rows.alias(shared=shared).filter(shared__gte=2).order_by("-shared", "pk")
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    model_fields = {f.name for f in queryset.model._meta.concrete_fields}
    wanted = [f for f in ("id", "name", "name_original", "aliases", "born_on", "born_on_precision", "citizenships",
                          "country", "is_published", "description", "slug")
              if f in model_fields]  # fmt: skip
    record_of = record_of or Record.of
    scored = rank(query, ((obj, record_of(obj)) for obj in rows.only(*wanted)[:read]),
                  threshold=threshold)  # fmt: skip
    return scored[:limit]


class TextIndex:
    """The folded words of a long text (an article), indexed, to find names in it in any spelling."""

    def __init__(self, text: str):
        self.raw = tuple(latin(text).split())
        self.words = tuple(fold(w) for w in self.raw)
        self.at: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.at.setdefault(w, []).append(i)

    def find(self, name: str, *, threshold: float = DUPLICATE_THRESHOLD) -> bool:
        """Whether the text writes `name` (two words or more), in any spelling or order, a middle name or
        patronymic more or less: a window of the text around a word of the name that the matcher pairs with it."""
        nw, nraw = words(name), raw_words(name)
        k = len(nw)
        if k < 2:
            return False
        for anchor in {w for w in nw if len(w) >= 3}:
            for p in self.at.get(anchor, ()):
                for length in (k - 1, k, k + 1):
                    if length < 2:
                        continue
                    for start in range(max(0, p - length + 1), min(p, len(self.words) - length) + 1):
                        window = slice(start, start + length)
                        m = _compare_words(self.words[window], nw, self.raw[window], nraw)
                        if m.score >= threshold and not m.words_missing and m.words_paired >= 2:
                            return True
        return False

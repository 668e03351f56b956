"""Name normalisation for search and duplicate detection.

Names of detainees reach us in several scripts and spellings: "Виктор Бут",
"Viktor Bout", "Victor Bout". `search_key()` folds all of them to one
comparable lower-case ASCII form (" viktor but"), so that a match on keys finds a
case whatever spelling a researcher types. A search matches the starts of the
key's words (`word_start`), never letters inside one: folded, "Бут" is "but",
which "Poczobut" ("pokzobut") holds but does not begin a word with.

A stored key begins with a space, so that every word in it follows one: a word
start is then one `LIKE '% but%'`, one probe of PostgreSQL's trigram index, where
a key without it needed `LIKE 'but%' OR LIKE '% but%'`, two. The space is
bookkeeping: the dataset document carries keys without it (`exported_key`,
`stored_key`).
"""

import functools
import re
import unicodedata

from django.core.signals import setting_changed
from django.db.models import Q

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u",
}  # fmt: skip

# Spelling variants that transliteration systems disagree on, folded to one form.
# Order matters: longer patterns first.
_FOLDS = [
    (r"shch", "sch"),
    (r"ck", "k"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"q", "k"),
    (r"x", "ks"),
    (r"ph", "f"),
    (r"w", "v"),
    (r"kh", "h"),
    (r"ou", "u"),
    (r"oo", "u"),
    (r"j", "i"),
    (r"y", "i"),
    (r"ii", "i"),
    (r"ie", "e"),
    (r"ei", "e"),
    (r"ai", "a"),
    (r"ff", "f"),
    (r"([a-z])\1", r"\1"),
]
_FOLD_RES = [(re.compile(p), r) for p, r in _FOLDS]


def transliterate(text: str) -> str:
    """Lower-case ASCII: Cyrillic transliterated, accents stripped."""
    text = text.lower()
    text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    # Drop accents; punctuation outside ASCII (’ – “) becomes a space so it never glues two words together.
    text = "".join(ch if ch.isascii() or ch.isalnum() else " " for ch in text if not unicodedata.combining(ch))
    return text.encode("ascii", "ignore").decode()


def fold_word(word: str) -> str:
    for pattern, repl in _FOLD_RES:
        word = pattern.sub(repl, word)
    return word


def search_words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return [fold_word(w) for w in re.findall(r"[a-z0-9]+", transliterate(text))]


def search_key(*texts: str) -> str:
    """One key for several names, as stored: each word after a space (the first too), each name's words together,
    names split by ' | '. Empty when there is no word."""
    keys = [" ".join(search_words(t)) for t in texts if t]
    key = " | ".join(k for k in keys if k)
    return f" {key}" if key else ""


def exported_key(stored: str) -> str:
    """A stored key as the dataset document writes it: without the leading space (the format since version 1)."""
    return stored.removeprefix(" ")


def stored_key(exported: str) -> str:
    """A key read from a dataset document, as stored: with the leading space (`search_key`)."""
    return f" {exported}" if exported and not exported.startswith(" ") else exported


def word_start(field: str, form: str) -> Q:
    """`field` (a `search_key`) has a word beginning with the folded `form`: every word of a stored key follows a space
    (words are space-separated, names " | "-separated, and the key begins with one). One `LIKE '% form%'`, which
    PostgreSQL answers from the trigram index with one probe."""
    return Q(**{f"{field}__contains": f" {form}"})


# What may follow a word cut short: any letter, or the first two letters of a multi-letter pattern. A word cut
# inside a pattern ("gershkovic|h") folds differently from the whole word, so each is tried.
_CONTINUATIONS = [*"abcdefghijklmnopqrstuvwxyz", "sh", "hc", "ch", "ck", "ph", "kh", "ou", "oo", "ii", "ie", "ei", "ai"]


@functools.lru_cache(maxsize=4096)
def prefix_forms(raw: str) -> tuple[str, ...]:
    """Folded forms that the start of a word beginning with the last word of `raw` (being typed) can take.

    "gershkovic" → (…, "gershkovih", "gershkovik", …): "gershkovich" folds to "gershkovih", which does not contain
    "gershkovik". "bo" → ("bo", "bu"): "bout" folds to "but". A key containing any of the forms matches; forms that
    contain a shorter one are dropped, as the shorter one already matches them.
    """
    typed = re.findall(r"[a-z0-9]+", transliterate(raw))
    if not typed:
        return ()
    typed = typed[-1]  # the last word of a query
    forms = {fold_word(typed), *(fold_word(typed + extra) for extra in _CONTINUATIONS)}
    ordered = sorted(forms, key=len)
    return tuple(f for i, f in enumerate(ordered) if not any(g in f for g in ordered[:i]))


_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Letters Russian does not use: a name with one is Belarusian or Ukrainian ("Андрэй Пачобут", "Юрій").
_NOT_RUSSIAN = re.compile(r"[іїєґўІЇЄҐЎ]")


def russian_name(name_original: str, aliases) -> str:
    """The name a Russian page heads a record with, from what is on file, or "" when none is in Cyrillic: the
    original-script name when it is Russian, else the first Russian alias, else any Cyrillic one (a Belarusian or
    Ukrainian spelling still reads better to a Russian reader than a Latin one). Never made up: no transliteration."""
    names = [n.strip() for n in [name_original or "", *(aliases or [])] if n and n.strip()]
    cyrillic = [n for n in names if _CYRILLIC_LETTER.search(n) and not _LATIN_LETTER.search(n)]
    russian = [n for n in cyrillic if not _NOT_RUSSIAN.search(n)]
    return (russian or cyrillic or [""])[0]


def russian_sort_key(name: str, name_original: str, aliases) -> str:
    """The key a Russian list sorts a person by: the name a Russian page shows (`russian_name`, else the Latin
    `name`), lower-cased with ё as е, as Russian dictionaries order them. Names in Cyrillic come first (А–Я), then
    those shown in Latin (A–Z): the leading "0"/"1" keeps that order under a byte-wise (SQLite) and a linguistic
    (PostgreSQL) collation alike."""
    shown = russian_name(name_original, aliases)
    text = (shown or name or "").strip().lower().replace("ё", "е")
    return ("0" if shown else "1") + text[:200]


# Countries whose English name takes "the" in running text ("released by the United States of America"), by code,
# so that a name is looked up in the remembered names (common.apps), never searched among all of them (h59).
_THE_CODES = ("US", "GB", "AE", "NL", "PH", "CF", "CD", "CG", "DO", "GM", "MV", "KM", "SC", "MH", "SB", "KY", "FO",
              "FK", "TC", "VG", "VI", "UM", "CC", "CK", "MP", "IO", "HM")  # fmt: skip
_THE_NAMES = {"Czech Republic", "Bahamas", "Holy See"}  # as an override (COUNTRIES_OVERRIDE) might name them


def in_sentence(name: str) -> str:
    """A country's name as English puts it in a sentence: "the United States of America", "the Netherlands";
    "Russia" as it is, and a group's name too. Only in English: Russian has no article. For running text, not for
    lists, menus or headings."""
    from django.utils import translation

    name = str(name or "")
    language = translation.get_language() or "en"
    if not name or not language.startswith("en"):
        return name
    if name in _the_names(language):
        return f"the {name}"
    return name


# The names that take "the", per language (h63: asked for one by one, 27 look-ups a call, ~11,000 a case page); a
# temporary `countries_context()` reads them afresh, a change of a COUNTRIES_* setting (tests) forgets them.
_THE_BY_LANGUAGE: dict[str, frozenset[str]] = {}


def _the_names(language: str) -> frozenset[str]:
    import django_countries
    from django_countries import countries

    temporary = getattr(django_countries._countries_context, "options", None)
    names = None if temporary else _THE_BY_LANGUAGE.get(language)
    if names is None:
        names = frozenset({*_THE_NAMES, *(str(countries.name(code)) for code in _THE_CODES)})
        if not temporary:
            _THE_BY_LANGUAGE[language] = names
    return names


def _forget_the_names(setting, **kwargs):
    if setting.startswith("COUNTRIES_"):
        _THE_BY_LANGUAGE.clear()


setting_changed.connect(_forget_the_names, dispatch_uid="h63-forget-the-names")

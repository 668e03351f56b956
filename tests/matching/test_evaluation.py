"""The matcher's thresholds come from its precision/recall curve, and it keeps the quality measured there."""

from common import matching
from dataset.matching_eval import curve, evaluation_set, pick_thresholds


def test_thresholds_are_the_ones_the_curve_picks_and_quality_holds():
    pairs = evaluation_set()
    rows = curve(pairs)
    assert (matching.AUTO_MATCH_THRESHOLD, matching.DUPLICATE_THRESHOLD) == pick_thresholds(rows)
    at_auto = next(r for r in rows if r["threshold"] == matching.AUTO_MATCH_THRESHOLD)
    assert at_auto["precision"] >= 0.98 and at_auto["recall"] >= 0.99, at_auto
    kinds = {p.kind for p in pairs}
    assert {"iso9", "bgn_pcgn", "passport", "german", "french", "typo", "surname first"} <= kinds
    assert {"similar first name", "surname on the same stem", "namesake, other birth date"} <= kinds


def test_transliteration_systems_agree():
    for a, b in [("Evgenij Gerškovič", "Евгений Гершкович"), ("Yevgeniy Gershkovich", "Evgenii Gershkovich"),
                 ("Jewgeni Gerschkowitsch", "Evgeny Gershkovich"), ("Iuliia Navalnaia", "Yuliya Navalnaya"),
                 ("Michail Chodorkowski", "Mikhail Khodorkovsky"), ("Pavel Rubcov", "Павел Рубцов")]:  # fmt: skip
        assert matching.compare_names(a, b).score >= matching.AUTO_MATCH_THRESHOLD, (a, b)
    for a, b in [("Anna Ivanova", "Anna Ivanov"), ("Elena Novikova", "Elena Novikovskaya"),
                 ("Ivan Petrov", "Ivan Sidorov"), ("Alexei Sokolov", "Alexander Sokolov")]:  # fmt: skip
        assert matching.compare_names(a, b).score < matching.DUPLICATE_THRESHOLD, (a, b)


def test_a_vowel_heard_another_way_and_german_z_for_ts_score_high():
    # "Pol Whelan" scored 0.29 against Paul Whelan: Pol and Paul were no pair, so one surname was all the evidence.
    for a, b in [("Pol Whelan", "Paul Whelan"), ("Andrej Kusnezow", "Андрей Кузнецов"),
                 ("Pawel Rubzow", "Pavel Rubtsov"), ("Dmitrij Sajzew", "Dmitry Zaitsev")]:  # fmt: skip
        assert matching.compare_names(a, b).score >= matching.AUTO_MATCH_THRESHOLD, (a, b)
        # and the database's block fetches the candidate: a start of each word in the stored key's spelling
        from common.text import search_words

        stored = {w[:3] for w in search_words(matching.latin(b))}
        assert sum(bool(keys & stored) for keys in matching.blocking_groups([a])) >= 2, (a, b)
    # Two vowels apart is another name (Natalia and Natella), as is another consonant
    for a, b in [("Natalia Smith", "Natella Smith"), ("Pol Whelan", "Pal Whalen"), ("Paul Whelan", "Saul Whelan")]:
        assert matching.compare_names(a, b).score < matching.DUPLICATE_THRESHOLD, (a, b)

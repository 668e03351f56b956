"""Precision and recall of the name matcher (common/matching.py) on its labelled evaluation set, per threshold.

    python bench/matching_eval.py            # the curve, the thresholds it picks, recall by kind of spelling

The set (dataset/matching_eval.py) pairs people from the starter dataset and the synthetic generator's name lists
with queries written as reports write names (true pairs) and with the people a careless matcher confuses them with
(hard non-pairs). The auto-match and duplicate-warning thresholds in common/matching.py are the ones printed here.
"""

import collections
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from common import matching  # noqa: E402
from dataset.matching_eval import curve, evaluation_set, pick_thresholds  # noqa: E402


def main() -> None:
    pairs = evaluation_set()
    positives = sum(p.same for p in pairs)
    print(f"{len(pairs)} labelled pairs: {positives} true, {len(pairs) - positives} hard non-pairs")
    rows = curve(pairs)
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4}")
    for r in rows:
        if round(r["threshold"] * 100) % 5 == 0 or r["threshold"] in pick_thresholds(rows):
            print(
                f"{r['threshold']:>9.2f} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['tp']:>5} {r['fp']:>4} "
                f"{r['fn']:>4}"
            )
    auto, warning = pick_thresholds(rows)
    print(
        f"\nauto-match threshold (best F0.5, the highest of equals): {auto:.2f}"
        f"   in common/matching.py: {matching.AUTO_MATCH_THRESHOLD:.2f}"
    )
    print(
        f"duplicate-warning threshold (best F2, the lowest of equals): {warning:.2f}"
        f"   in common/matching.py: {matching.DUPLICATE_THRESHOLD:.2f}"
    )
    by_kind = collections.defaultdict(lambda: [0, 0])
    for p in pairs:
        score = matching.compare(p.query, p.on_file).score
        hit = score >= matching.AUTO_MATCH_THRESHOLD
        by_kind[(p.same, p.kind)][0] += hit
        by_kind[(p.same, p.kind)][1] += 1
    print(f"\nat the auto-match threshold {matching.AUTO_MATCH_THRESHOLD:.2f}, by kind of query:")
    for (same, kind), (hits, n) in sorted(by_kind.items(), key=lambda kv: (not kv[0][0], kv[0][1])):
        what = "matched (recall)" if same else "wrongly matched"
        print(f"  {'true' if same else 'non-pair':8} {kind:30} {hits:>4}/{n:<4} {what}")


if __name__ == "__main__":
    main()

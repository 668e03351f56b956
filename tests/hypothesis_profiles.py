"""Hypothesis profiles: `ci` (the default: what `make test` and CI run) and `dev` (`make check`: a fifth of the
examples, for the edit-test loop). HYPOTHESIS_PROFILE picks one.

A test that sets its own number of examples writes `examples(n)`: n in `ci`, fewer in `dev`, so the quick loop stays
quick and CI keeps every example a test was written with.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "dev", parent=settings.get_profile("ci"), max_examples=max(2, settings.default.max_examples // 5)
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """`n` examples in the `ci` profile, a fifth of them (at least 2) in `dev`."""
    return n if PROFILE == "ci" else max(2, n // 5)

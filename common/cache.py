"""Figures that are costly to count (overview totals, facet counts), cached until the data changes.

The key carries the data's version: the latest `updated_at` (indexed) of each table the figures read, so any save
invalidates them at once; a deletion does not move that mark, so entries also expire after `timeout` seconds.
Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Max


def data_version(*models) -> str:
    marks = [str(m._default_manager.aggregate(v=Max("updated_at"))["v"]) for m in models]
    return hashlib.sha1("|".join(marks).encode()).hexdigest()[:16]


def cached_figures(name: str, *, models, parts=(), compute: Callable, timeout: int = 300):
    """`compute()` once per data version and `parts` (e.g. the filters in force)."""
    key = "figures:" + hashlib.sha1(repr((name, data_version(*models), parts)).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value

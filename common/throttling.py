"""The anonymous API limit, counted once for the whole site.

DRF's own throttle keeps a list of request times per client and writes it back after reading it: two workers (or
two app servers) answering the same client at once each read the old list, and one of the two requests is never
counted. This one counts in fixed windows with the cache's atomic increment (INCR on Redis, a lock in local
memory), so with a shared cache (REDIS_URL) every worker of every app server draws from one allowance per client.
Without REDIS_URL the count is per worker process: the README says so.
"""

import math

from rest_framework.throttling import AnonRateThrottle


class SharedAnonRateThrottle(AnonRateThrottle):
    """`API_ANON_RATE` requests per window per client address; 429 with the seconds left in the window."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:  # signed in: not limited as anonymous
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = (window + 1) * self.duration - now
        key = f"{self.key}:{window}"
        self.cache.add(key, 0, self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between add() and incr()
            self.cache.add(key, 0, self.duration + 1)
            count = self.cache.incr(key)
        return count <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.wait_seconds))

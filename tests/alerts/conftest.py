"""The alerts tests drive the feed's consumer with events they write themselves (tests/alerts/helpers.publish).

The real publisher (changes.publisher), which runs after each write request and before the feed's doors are read,
would add its own events for the same records beside them; it is proven in tests/changes, so here it is kept quiet.
`test_real_feed.py` runs the two together, end to end.
"""

import pytest


@pytest.fixture(autouse=True)
def real_feed_off(request, monkeypatch):
    if request.node.get_closest_marker("real_feed"):
        return
    import changes.publisher
    import changes.services

    monkeypatch.setattr(changes.services, "publish", lambda *args, **kwargs: 0)
    monkeypatch.setattr(changes.publisher, "publish", lambda *args, **kwargs: 0)  # the worker's round (common.derived)

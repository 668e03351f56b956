"""Atom feed of newly published cases and exchanges (published records only)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from common.templatetags.tracker import description_in_language, field_text, name_text
from detainees.models import Detainee
from exchanges.models import Exchange


class LatestFeed(Feed):
    """The 20 most recently created published cases and exchanges, newest first."""

    feed_type = Atom1Feed
    title = _("Prisoner Exchange Tracker: new cases and exchanges")
    subtitle = _("Newly published cases of people detained by states, and prisoner exchanges.")

    def link(self):
        return reverse("overview")

    def items(self):
        people = list(Detainee.objects.published().order_by("-created_at")[:20])
        swaps = list(Exchange.objects.published().order_by("-created_at")[:20])
        return sorted(people + swaps, key=lambda o: o.created_at, reverse=True)[:20]

    def item_title(self, item):
        return name_text(item)  # in Russian (/ru/feed.atom) where a Russian name is on file

    def item_description(self, item):
        if isinstance(item, Exchange):
            if item.place:
                return _("Exchange in %(place)s, %(date)s.") % {
                    "place": field_text(item, "place"),
                    "date": item.partial_date("date"),
                }
            return _("Exchange, %(date)s.") % {"date": item.partial_date("date")}
        return description_in_language(item) or _("New case.")

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

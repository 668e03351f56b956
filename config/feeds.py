"""Atom feeds: newly published cases and exchanges, and one case's published changes (published records only)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed, Stylesheet
from django.utils.translation import gettext_lazy as _
from django.utils.xmlutils import SimplerXMLGenerator

from common.templatetags.tracker import description_in_language, field_text, name_text
from detainees.models import Detainee
from exchanges.models import Exchange


class StyledAtom1Feed(Atom1Feed):
    """Atom with the feed's `<?xml-stylesheet?>` instructions before the root, as Django writes them for RSS only."""

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class StyledFeed(Feed):
    """A feed a browser shows as a page: `<?xml-stylesheet?>` names the site's XSLT (`feed-xsl`, same origin, in the
    feed's language). Feed readers ignore it; the XML is unchanged."""

    feed_type = StyledAtom1Feed

    def stylesheets(self):
        return [Stylesheet(reverse("feed-xsl"), mimetype="text/xsl")]

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Browsers show application/atom+xml as plain text, never applying a stylesheet; they apply it to XML.
        # A browser opening the feed (it asks for text/html first) gets the same bytes as application/xml; a feed
        # reader gets Atom's own type.
        if response.status_code == 200 and "text/html" in request.headers.get("Accept", ""):
            response["Content-Type"] = "application/xml; charset=utf-8"
        patch_vary_headers(response, ["Accept"])
        return response


class LatestFeed(StyledFeed):
    """The 20 most recently created published cases and exchanges, newest first."""

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


class CaseFeed(StyledFeed):
    """One published case's changes as Atom (`/detainees/<slug>/feed.atom`): to follow a case without an account.

    Read from the change feed (`changes`), which holds only what an anonymous visitor can see, so a draft's edits are
    never in it; the case's API document nests its custody records, so one event per published change of the case.
    A case not public now answers 404, as its page does."""

    feed_type = StyledAtom1Feed
    shown = 50

    def get_object(self, request, slug):
        from changes.services import catch_up

        person = Detainee.objects.published().filter(slug=slug).first()
        if person is None:
            raise Http404
        catch_up()  # what was written before this request is in the feed, as the feed's own door makes sure
        return person

    def title(self, person):
        return _("Changes to the case of %(name)s") % {"name": person.name}

    def subtitle(self, person):
        return _("Published changes to this case on the Prisoner Exchange Tracker, newest first.")

    def link(self, person):
        return person.get_absolute_url()

    def feed_url(self, person):
        return reverse("detainee-feed", args=[person.slug])

    def items(self, person):
        from changes.models import Change

        rows = list(
            Change.objects.filter(resource="detainees", object_id=person.pk)
            .order_by("-seq")
            .values("seq", "op", "at", "document")[: self.shown + 1]
        )
        for row, before in zip(rows, [*rows[1:], None], strict=True):
            previous = (before or {}).get("document") if before and before["op"] == "upsert" else None
            row["person"] = person
            row["first"] = row["op"] == "upsert" and previous is None
            row["changed"] = changed_fields(previous or {}, row["document"] or {}) if previous else []
        return rows[: self.shown]

    def item_title(self, row):
        name = row["person"].name
        if row["op"] != "upsert":
            return _("Removed from public view: %(name)s") % {"name": name}
        if row["first"]:
            return _("Published: %(name)s") % {"name": name}
        return _("Updated: %(name)s") % {"name": name}

    def item_description(self, row):
        if row["op"] != "upsert":
            return _("The case left public view.")
        if row["first"]:
            return _("The case came into public view.")
        if row["changed"]:
            return _("Changed: %(fields)s.") % {"fields": ", ".join(row["changed"])}
        return _("Changed.")

    def item_link(self, row):
        return row["person"].get_absolute_url()

    def item_guid(self, row):
        return f"tag:prisoner-exchange-tracker,2024:changes/{row['seq']}"

    item_guid_is_permalink = False

    def item_pubdate(self, row):
        return row["at"]

    def item_updateddate(self, row):
        return row["at"]


# Fields of a case's document that change with every write, or only mirror another: not news to a reader.
NOT_NEWS = {"updated_at", "url", "html_url", "id", "slug"}


def changed_fields(before: dict, after: dict) -> list[str]:
    """The API fields of a case document that differ between two published versions (`description`,
    `detentions`...), in the document's order."""
    keys = [*after, *(k for k in before if k not in after)]
    return [k for k in keys if k not in NOT_NEWS and before.get(k) != after.get(k)]

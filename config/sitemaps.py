"""sitemap.xml: published cases and exchanges only, each in every site language with its alternates (hreflang)."""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from detainees.models import Detainee, Group
from exchanges.models import Exchange
from sources.models import Official


class Sitemap(DjangoSitemap):
    """Every address once per language in LANGUAGES, each naming the others and x-default (English)."""

    i18n = True
    alternates = True
    x_default = True


class DetaineeSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Detainee.objects.published().only("slug", "updated_at").order_by("id")

    def lastmod(self, obj):
        return obj.updated_at


class ExchangeSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Exchange.objects.published().only("slug", "updated_at").order_by("id")

    def lastmod(self, obj):
        return obj.updated_at


class GroupSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Group.objects.only("slug", "updated_at").order_by("id")  # public records: no drafts

    def lastmod(self, obj):
        return obj.updated_at


class OfficialSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Official.objects.only("slug", "updated_at").order_by("id")  # public records: no drafts

    def lastmod(self, obj):
        return obj.updated_at


class PagesSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["overview", "detainees:detainee-list", "exchanges:exchange-list", "sources:source-list",
                "sources:statement-list"]  # fmt: skip

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "detainees": DetaineeSitemap,
    "exchanges": ExchangeSitemap,
    "groups": GroupSitemap,
    "officials": OfficialSitemap,
}

"""Site-wide pages: the overview and the health check."""

import datetime
import functools

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import DatabaseError, connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.views.generic import TemplateView

from common import routing
from common.cache import cached_figures, data_version
from common.charts import bar_chart
from common.models import format_partial_date
from common.views import PageCacheMixin
from common.worldmap import held_map
from detainees.census import STALE_MONTHS, census_figures, last_reported, places_held
from detainees.models import Detainee, Detention
from exchanges.models import Exchange, side_label


def latest_exchanges(exchanges) -> list:
    """The five latest completed exchanges, each with `people_total` (named and counted) and its directions as one
    line ("Russia → Germany 12, ..."), computed here so the cached figures carry plain values."""
    latest = list(exchanges.filter(status="completed").with_participants().order_by("-date")[:5])
    for e in latest:
        e.total = e.people_total()
        e.sides = "; ".join(f"{side_label(d['released_by'])} → {side_label(d['received_by'])}: {intcomma(d['total'])}"
                            for d in e.directions())  # fmt: skip
    return latest


def partial_date_of(iso: str, precision: str) -> str:
    """A stored partial date ("2026-01-20", "day") as the page writes it: "20 January 2026"."""
    return format_partial_date(datetime.date.fromisoformat(iso), precision)


class OverviewView(PageCacheMixin, TemplateView):
    """`/`: how many are held now and by whom, the latest exchanges, exchanges per year."""

    template_name = "overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        version = data_version()
        figures = cached_figures("overview", parts=(today.isoformat(),), compute=self.figures, version=version)
        context.update(figures)
        context.update(self.held_now(today, version))
        return context

    @staticmethod
    def held_now(today, version: str) -> dict:
        """Held now means one thing everywhere: the census of today (custody on file that certainly covers today,
        the `held_on` rule of every list), read from the same stored figures as /census/. The stored status can say
        "held" where no record covers today (a start known only as this month; a handover to a custody not on
        file), so it is not what is counted here."""
        figures = census_figures(today, version=version)
        places = places_held(today, version=version)
        reported = last_reported(today, version=version)  # as of when: a count of custody as last reported
        states = [r for r in figures["by_holder"] if r["held_by"] and r["held"]]
        return {
            # The map of where they are: the states of the same census rows, and within each the places on file.
            "held_map": held_map({r["held_by"]: len(r["held"]) for r in states}),
            "held_places": [
                {
                    "code": r["held_by"],
                    "name": r["name"],
                    "people": len(r["held"]),
                    "places": places.get(r["held_by"], []),
                }
                for r in states
            ],
            "held_off_map": [r for r in figures["by_holder"] if not r["held_by"] and r["held"]],
            "today": today,
            "held_total": figures["held"],
            "held_uncertain": figures["uncertain"],
            "held_latest_report": reported["latest"] and partial_date_of(*reported["latest"]),
            "held_stale": reported["stale"],
            "stale_months": STALE_MONTHS,
            # (filter parameter, its value, who holds, how many): a state, a group, or a holder not on file.
            "held_by_country": [
                ("held_by_group", row["held_by_group"], row["name"], len(row["held"]))
                if row["held_by_group"]
                else ("held_by", row["held_by"], row["name"], len(row["held"]))
                for row in figures["by_holder"]
                if row["held"]
            ],  # fmt: skip
        }

    @staticmethod
    def figures() -> dict:
        context = {}
        people = Detainee.objects.published().with_status()
        exchanges = Exchange.objects.published()
        per_year = list(
            exchanges.exclude(date=None).filter(status="completed").order_by().annotate(y=ExtractYear("date"))
            .values_list("y").annotate(n=Count("pk")).order_by("y")
        )  # fmt: skip
        context.update(
            case_total=people.count(),
            # Held-now counts speak of custody on file; say how many cases have none (known only from an exchange).
            no_custody_total=people.exclude(pk__in=Detention.objects.values("detainee_id")).count(),
            exchange_total=exchanges.count(),
            latest_exchanges=latest_exchanges(exchanges),
            chart=bar_chart(per_year),
        )
        return context


class AboutView(PageCacheMixin, TemplateView):
    """`/about/`: the methodology — what the terms mean, sources, dates, corrections, licence, contact."""

    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        from .methodology import vocabulary

        context.update(
            contact_email=settings.CONTACT_EMAIL,
            data_licence=settings.DATA_LICENCE,
            vocabulary=vocabulary(),
            today=timezone.localdate(),
        )
        return context


def favicon(request):
    """What a browser asks for on a page that names no icon (a JSON answer): the site's icon, at its hashed name."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def healthz(request):
    """For load balancers: which databases answer (one round trip each; see common.routing).

    200 `ok`; 200 `degraded` when the server still serves — the replica down or lagging (reads from the primary),
    or the primary down (reads from the replica, writes refused with 503) — so that a load balancer keeps sending
    it traffic; 503 only when no database answers.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        primary = "ok"
    except DatabaseError:
        connection.close()
        primary = "unreachable"
    body = {"primary": primary}
    if routing.has_replica():
        body["replica"] = routing.replica_state(force=True)
    working = primary == "ok" or body.get("replica", "").startswith(("ok", "lagging"))
    body["status"] = "ok" if all(v == "ok" for v in body.values()) else "degraded" if working else "unavailable"
    response = JsonResponse({"status": body.pop("status"), **body}, status=200 if working else 503)
    if not working:
        response["Retry-After"] = "5"
    return response


def untranslated_api(request, rest: str, root: str = "api"):
    """`/ru/api/…`: the API is one in every language (error messages follow Accept-Language), so a Russian-prefixed
    address answers 301 to the API's own, the query kept. `/ru/admin/…` likewise (`root="admin"`): the admin has one
    address, its language is each editor's choice (the menu at its top)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(iri_to_uri(f"/{root}/{rest}") + (f"?{query}" if query else ""))


class FeedStylesheetView(TemplateView):
    """`/feed.xsl` (`/ru/feed.xsl`): the XSLT a browser applies to the site's Atom feeds, so that opening one shows a
    readable page in its language rather than raw XML (feed readers ignore it). Same origin, no script."""

    template_name = "feed.xsl.html"  # an XSLT document; .html so that makemessages reads its strings
    content_type = "text/xsl; charset=utf-8"

    def get_context_data(self, **kwargs):
        from django.utils.translation import get_language

        return {**super().get_context_data(**kwargs), "LANGUAGE_CODE": get_language()}


# The Redoc bundle (drf-spectacular-sidecar's, served from here) draws Redocly's logo in its menu from
# https://cdn.redoc.ly, hard-coded, with no option to turn it off: the CSP refused it (a console error on every visit)
# and the page asked another host for it. The bundle is served with that address replaced by a logo of our own.
REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_OUTSIDE_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def _redoc_bundle() -> bytes:
    from django.contrib.staticfiles import finders

    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        text = bundle.read()
    if REDOC_OUTSIDE_LOGO not in text:  # a new Redoc: look again at what it fetches (tests/site/test_h53_redoc.py)
        raise RuntimeError(f"{REDOC_BUNDLE} no longer names {REDOC_OUTSIDE_LOGO.decode()}")
    return text.replace(REDOC_OUTSIDE_LOGO, static("img/api-docs-mini.svg").encode())


def redoc_bundle(request):
    """`/api/redoc/redoc.standalone.js`: the vendored Redoc, fetching nothing from another host."""
    response = HttpResponse(_redoc_bundle(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response

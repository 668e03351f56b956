"""Flows between states: who was released by whom to whom, added up over completed exchanges.

`aggregate_flows` takes plain rows `(released_by, received_by, number, names)` and knows nothing of where they
come from: the named participants (`participant_rows`, one person each) and the people exchanges count without
naming them (`count_rows`, SPEC 1.1), so every page, JSON and CSV built on it adds named and counted people
together, direction by direction. A side held by a non-state group is given by the group's name.
"""

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django import forms
from django_countries import countries

from .models import NOT_ON_FILE, Exchange, ExchangeCount, ExchangeParticipant, ExchangeStatus

Row = tuple[str, str, int, list[dict]]  # released_by, received_by, number of people, the named ones


@dataclass
class Flow:
    """One direction: everyone `released_by` let go to `received_by`, over the exchanges chosen."""

    released_by: str
    received_by: str
    number: int = 0
    people: list[dict] = field(default_factory=list)  # [{"name", "slug"}], the named ones, by name

    @property
    def named(self) -> int:
        return len(self.people)

    @property
    def counted(self) -> int:
        """People in the number who are not named (the exchange counts of SPEC 1.1)."""
        return self.number - self.named

    @property
    def released_by_name(self) -> str:
        return countries.name(self.released_by) or self.released_by

    @property
    def received_by_name(self) -> str:
        return countries.name(self.received_by) or self.received_by


def aggregate_flows(rows: Iterable[Row]) -> list[Flow]:
    """Add the rows up by direction; largest flow first, then by country names."""
    flows: dict[tuple[str, str], Flow] = {}
    for released_by, received_by, number, names in rows:
        flow = flows.setdefault((released_by, received_by), Flow(released_by, received_by))
        flow.number += number
        flow.people.extend(names)
    for flow in flows.values():
        flow.people.sort(key=lambda p: p["name"])
    return sorted(flows.values(), key=lambda f: (-f.number, f.released_by_name, f.received_by_name))


def side(code: str, group: str | None) -> str:
    """A side of a flow: a state's code, a non-state group's name (SPEC 1.1), or a side not on file."""
    return code or group or NOT_ON_FILE


SIDES = ("released_by", "released_by_group__name", "received_by", "received_by_group__name")


def participant_rows(exchanges) -> Iterator[Row]:
    """One row per published participant of the given exchanges (one query)."""
    participants = (
        ExchangeParticipant.objects.filter(exchange__in=exchanges, detainee__is_published=True)
        .order_by()
        .values_list(*SIDES, "detainee__name", "detainee__slug")
    )
    for released_by, released_group, received_by, received_group, name, slug in participants:
        yield side(released_by, released_group), side(received_by, received_group), 1, [{"name": name, "slug": slug}]


def count_rows(exchanges) -> Iterator[Row]:
    """One row per direction of people counted, not named, in the given exchanges (one query)."""
    counts = ExchangeCount.objects.filter(exchange__in=exchanges).order_by().values_list(*SIDES, "number")
    for released_by, released_group, received_by, received_group, number in counts:
        yield side(released_by, released_group), side(received_by, received_group), number, []


def flow_rows(exchanges) -> Iterator[Row]:
    """Every row the flows are made of: the named participants and the counted people."""
    return itertools.chain(participant_rows(exchanges), count_rows(exchanges))


class FlowFilterForm(forms.Form):
    """The filters of the flows page and of /api/v1/flows/: the same names, the same meaning."""

    year_from = forms.IntegerField(required=False, min_value=1900, max_value=2100, help_text="Exchanges in or after.")
    year_to = forms.IntegerField(required=False, min_value=1900, max_value=2100, help_text="Exchanges in or before.")
    country = forms.TypedMultipleChoiceField(
        required=False,
        choices=lambda: list(countries),
        coerce=str.upper,
        help_text="Flows released or received by this country (ISO 3166-1 alpha-2; repeat for several).",
    )

    KNOWN = {"year_from", "year_to", "country"}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            data.setlist("country", [c.upper() for c in data.getlist("country") if c])
        super().__init__(data, *args, **kwargs)


def flow_document(flows: list[Flow], url_of) -> dict:
    """The flows as the API gives them (JSON, and CSV row by row); `url_of(slug)` makes a case page's address."""
    return {
        "total": sum(f.number for f in flows),
        "named": sum(f.named for f in flows),
        "counted": sum(f.counted for f in flows),
        "flows": [
            {
                "released_by": f.released_by,
                "released_by_name": f.released_by_name,
                "received_by": f.received_by,
                "received_by_name": f.received_by_name,
                "number": f.number,
                "named": f.named,
                "counted": f.counted,
                "people": [{"name": p["name"], "html_url": url_of(p["slug"])} for p in f.people],
            }  # fmt: skip
            for f in flows
        ],
    }


def flows_for(params) -> tuple[FlowFilterForm, list[Flow], list[Flow]]:
    """Validate the filters; return the form, the flows chosen, and every flow of those years (for the country menu).
    On invalid filters the form carries the errors and both lists are empty."""
    form = FlowFilterForm(params)
    if not form.is_valid():
        return form, [], []
    exchanges = Exchange.objects.published().filter(status=ExchangeStatus.COMPLETED)
    if form.cleaned_data["year_from"]:
        exchanges = exchanges.filter(date__year__gte=form.cleaned_data["year_from"])
    if form.cleaned_data["year_to"]:
        exchanges = exchanges.filter(date__year__lte=form.cleaned_data["year_to"])
    every = aggregate_flows(flow_rows(exchanges))
    chosen = set(form.cleaned_data["country"])
    flows = [f for f in every if f.released_by in chosen or f.received_by in chosen] if chosen else every
    return form, flows, every


# ---- the diagram ------------------------------------------------------------------------------------------------


def sankey(flows: list[Flow], *, width: int = 400, gap: int = 10, min_node: int = 22) -> dict:
    """Geometry of a two-column flow diagram: releasing states on the left, receiving states on the right, a band
    per direction as wide as its number of people. Each node is at least `min_node` tall so its label fits."""
    if not flows:
        return {"nodes": [], "bands": [], "width": width, "height": 0}
    left_totals: dict[str, int] = {}
    right_totals: dict[str, int] = {}
    for f in flows:
        left_totals[f.released_by] = left_totals.get(f.released_by, 0) + f.number
        right_totals[f.received_by] = right_totals.get(f.received_by, 0) + f.number
    total = sum(left_totals.values())
    rows = max(len(left_totals), len(right_totals))
    unit = max(min_node / min(min(left_totals.values()), min(right_totals.values())), 160 / total)
    unit = min(unit, 40)  # one person is at most 40 units tall
    # Counted exchanges run into the hundreds (the Shalit exchange: 1,027): the bands share at most about 480 units,
    # so the diagram stays about a screen tall; small nodes keep `min_node` for their labels.
    unit = min(unit, 480 / max(sum(left_totals.values()), sum(right_totals.values())))
    node_w = 10

    def column(totals: dict[str, int], x: float, side: str) -> dict[str, dict]:
        nodes, y = {}, 4.0
        height_needed = sum(max(min_node, n * unit) for n in totals.values()) + gap * (len(totals) - 1)
        y += (column_height - height_needed) / 2
        for code, n in sorted(totals.items(), key=lambda kv: (-kv[1], countries.name(kv[0]))):
            h = max(min_node, n * unit)
            nodes[code] = {"code": code, "name": countries.name(code) or code, "total": n, "x": x, "y": round(y, 1),
                           "h": round(h, 1), "side": side, "used": 0.0, "slack": (h - n * unit) / 2}  # fmt: skip
            y += h + gap
        return nodes

    column_height = max(
        sum(max(min_node, n * unit) for n in totals.values()) + gap * (len(totals) - 1)
        for totals in (left_totals, right_totals)
    )
    left = column(left_totals, 0, "left")
    right = column(right_totals, width - node_w, "right")
    bands = []
    for f in flows:
        a, b = left[f.released_by], right[f.received_by]
        w = f.number * unit
        y0 = a["y"] + a["slack"] + a["used"] + w / 2
        y1 = b["y"] + b["slack"] + b["used"] + w / 2
        a["used"] += w
        b["used"] += w
        x0, x1 = node_w, width - node_w
        mid = (x0 + x1) / 2
        bands.append({
            "d": f"M{x0} {y0:.1f}C{mid} {y0:.1f} {mid} {y1:.1f} {x1} {y1:.1f}", "w": round(max(w, 1.5), 1),
            "flow": f, "label_y": round((y0 + y1) / 2, 1),
        })  # fmt: skip
    nodes = [*left.values(), *right.values()]
    for n in nodes:
        n["label_x"] = node_w + 6 if n["side"] == "left" else width - node_w - 6
        n["label_y"] = round(n["y"] + n["h"] / 2, 1)
    return {"nodes": nodes, "bands": bands, "width": width, "height": math.ceil(column_height + 8),
            "total": total, "rows": rows}  # fmt: skip


def filter_countries(flows: list[Flow]) -> list[tuple[str, str]]:
    """(code, name) of every country in the flows, for the page's country menu."""
    codes = {f.released_by for f in flows} | {f.received_by for f in flows}
    return sorted(((c, countries.name(c) or c) for c in codes), key=lambda cn: cn[1])

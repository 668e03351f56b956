"""Flows between states: who was released by whom to whom, added up over completed exchanges.

`aggregate_flows` takes plain rows `(released_by, received_by, number, names)` and knows nothing of where they
come from: the named participants (`participant_rows`, one person each) and the people exchanges count without
naming them (`count_rows`, SPEC 1.1), so every page, JSON and CSV built on it adds named and counted people
together, direction by direction. A side held by a non-state group is given by the group's name; a side an
exchange leaves blank is named as the exchange's page names it (`exchanges.models.unrecorded_sides`).
"""

import itertools
import math
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.text import russian_name

from .models import (
    NOT_ON_FILE,
    Exchange,
    ExchangeCount,
    ExchangeParticipant,
    ExchangeStatus,
    side_label,
    unrecorded_sides,
)

Row = tuple[str, str, int, list[dict]]  # released_by, received_by, number of people, the named ones


@dataclass
class Flow:
    """One direction: everyone `released_by` let go to `received_by`, over the exchanges chosen."""

    released_by: str
    received_by: str
    number: int = 0
    people: list[dict] = field(default_factory=list)  # [{"name", "name_ru", "slug"}], the named ones, by name

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


SIDES = ("released_by", "released_by_group_id", "received_by", "received_by_group_id")
GROUP_NAMES = ("released_by_group__name", "received_by_group__name")


def participant_rows(exchanges) -> Iterator[tuple]:
    """(exchange id, the four side fields, the two group names, 1, [the person]) per published participant of the
    given exchanges (one query)."""
    participants = (
        ExchangeParticipant.objects.filter(exchange__in=exchanges, detainee__is_published=True)
        .order_by()
        .values_list(
            "exchange_id",
            *SIDES,
            *GROUP_NAMES,
            "detainee__name",
            "detainee__slug",
            "detainee__name_original",
            "detainee__aliases",
        )
    )
    for *sides, name, slug, original, aliases in participants:
        # the Russian name on file for Russian pages (common.text.russian_name); the API gives `name` alone
        yield *sides, 1, [{"name": name, "name_ru": russian_name(original, aliases), "slug": slug}]


def count_rows(exchanges) -> Iterator[tuple]:
    """(exchange id, the four side fields, the two group names, number, []) per direction of people counted, not
    named, in the given exchanges (one query)."""
    counts = ExchangeCount.objects.filter(exchange__in=exchanges).order_by()
    for *sides, number in counts.values_list("exchange_id", *SIDES, *GROUP_NAMES, "number"):
        yield *sides, number, []


def flow_rows(exchanges) -> Iterator[Row]:
    """Every row the flows are made of: the named participants and the counted people, each side named as the
    exchange's page names it (a side the exchange leaves blank by its other side: `unrecorded_sides`)."""
    by_exchange: dict[int, list[tuple]] = {}
    for row in itertools.chain(participant_rows(exchanges), count_rows(exchanges)):
        by_exchange.setdefault(row[0], []).append(row[1:])
    for rows in by_exchange.values():
        names = {}  # (code, group id) -> the side as the flows give it
        for released, released_group, received, received_group, released_name, received_name, *__ in rows:
            names[released, released_group] = side(released, released_name)
            names[received, received_group] = side(received, received_name)
        named = unrecorded_sides({row[:4] for row in rows})
        for row in rows:
            key, (number, people) = row[:4], row[6:]
            released, received = names[key[:2]], names[key[2:]]
            if "received_by" in named.get(key, {}):
                received = names[named[key]["received_by"]]
            if "released_by" in named.get(key, {}):
                released = names[named[key]["released_by"]]
            yield released, received, number, people


class FlowFilterForm(forms.Form):
    """The filters of the flows page and of /api/v1/flows/: the same names, the same meaning."""

    year_from = forms.IntegerField(
        required=False, min_value=1900, max_value=2100, help_text=_("Exchanges in or after.")
    )
    year_to = forms.IntegerField(required=False, min_value=1900, max_value=2100, help_text=_("Exchanges in or before."))
    country = forms.TypedMultipleChoiceField(
        required=False,
        choices=lambda: list(countries),
        coerce=str.upper,
        help_text=_("Flows released or received by this country (ISO 3166-1 alpha-2; repeat for several)."),
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

# Two drawings of each panel: one for a desk (about 700 px wide) and one for a phone (about 320 px), shown by CSS.
# Text is in viewBox units, about a pixel each at those widths; names wrap at `wrap` characters. Labels sit outside
# the node columns, so no label ever covers a band.
LAYOUTS = {"wide": {"width": 700, "font": 13, "wrap": 26}, "narrow": {"width": 330, "font": 13, "wrap": 13}}
CHAR_WIDTH = 0.6  # of the font size: a generous average for the system sans-serif (bold digits included)
CYRILLIC_CHAR_WIDTH = 0.7
NODE_W = 10
TARGET_HEIGHT = 380  # units the larger column's people fill, at most
MAX_UNIT = 24  # units per person, at most (a panel of three people is not a screen tall)


def nice_scale(unit: float) -> int:
    """A round number of people whose bar is between about 12 and 60 units tall: the legend's scale."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if step * unit >= 12:
            return step
    return 100000


def _text_width(text: str) -> float:
    """Width in font sizes: Cyrillic letters run wider than Latin ones ("Соединенные Штаты Америки", h12)."""
    return sum(CYRILLIC_CHAR_WIDTH if "\u0400" <= c <= "\u04ff" else CHAR_WIDTH for c in text)


def _label_lines(name: str, wrap: int) -> list[str]:
    return textwrap.wrap(name, wrap, break_long_words=False) or [name]


def sankey(pairs: list[tuple[str, str, int]], *, width: int, font: int, wrap: int) -> dict:
    """Geometry of a two-column flow diagram drawn to scale: `(released_by, received_by, people)` pairs, releasing
    sides on the left, receiving sides on the right.

    Every node's height and every band's width is its number of people times one `unit`, so heights are
    proportional to counts (a node of 17 is 17 times a node of 1). A node sits in a slot at least as tall as its
    label; labels stand outside the columns, names wrapped at `wrap` characters."""
    pairs = [p for p in pairs if p[2] > 0]
    if not pairs:
        return {"nodes": [], "bands": [], "width": width, "height": 0}
    totals: dict[str, dict[str, int]] = {"left": {}, "right": {}}
    for released_by, received_by, n in pairs:
        totals["left"][released_by] = totals["left"].get(released_by, 0) + n
        totals["right"][received_by] = totals["right"].get(received_by, 0) + n
    # The people fill about a screen at most, less when there are few sides (one flow of 1,027 is one block, not a
    # wall); the legend's bar states the scale either way.
    rows = max(len(t) for t in totals.values())
    unit = min(MAX_UNIT, min(TARGET_HEIGHT, 80 + 50 * rows) / max(sum(t.values()) for t in totals.values()))
    line_h = round(font * 1.25, 2)
    gap = round(font * 0.6, 2)

    labels: dict[tuple[str, str], tuple[list[str], str]] = {}
    widest = 0.0
    for side, side_totals in totals.items():
        for code, n in side_totals.items():
            lines = _label_lines(countries.name(code) or side_label(code), wrap)
            number = intcomma(n)
            labels[(side, code)] = (lines, number)
            widths = [_text_width(line) for line in lines[:-1]] + [_text_width(f"{lines[-1]} {number}")]
            widest = max(widest, max(widths) * font)
    margin = math.ceil(widest + 6)  # label column on each side
    left_x, right_x = margin, width - margin - NODE_W

    def column(side: str) -> dict[str, dict]:
        nodes, y = {}, 0.0
        for code, n in sorted(totals[side].items(), key=lambda kv: (-kv[1], countries.name(kv[0]) or kv[0])):
            lines, number = labels[(side, code)]
            h = n * unit
            slot = max(h, len(lines) * line_h)
            nodes[code] = {"code": code, "name": countries.name(code) or code, "total": n, "side": side,
                           "slot_y": y, "slot_h": slot, "h": h, "lines": lines, "number": number}  # fmt: skip
            y += slot + gap
        return nodes

    columns = {"left": column("left"), "right": column("right")}
    heights = {side: sum(n["slot_h"] for n in c.values()) + gap * (len(c) - 1) for side, c in columns.items()}
    height = max(heights.values())
    order = {side: {code: i for i, code in enumerate(c)} for side, c in columns.items()}
    for side, nodes in columns.items():
        shift = (height - heights[side]) / 2  # the shorter column is centred
        for node in nodes.values():
            node["y"] = round(node["slot_y"] + shift + (node["slot_h"] - node["h"]) / 2, 2)
            node["x"] = left_x if side == "left" else right_x
            node["h"] = round(node["h"], 2)
            centre = node["slot_y"] + shift + node["slot_h"] / 2
            node["label_y"] = round(centre - (len(node["lines"]) - 1) * line_h / 2, 2)
            node["label_x"] = left_x - 6 if side == "left" else right_x + NODE_W + 6
            node["anchor"] = "end" if side == "left" else "start"
            node["used"] = 0.0

    # Bands leave each node in the order of the node they reach (and arrive in the order they came from), so they
    # cross as little as they can.
    bands = []
    left_order = sorted(pairs, key=lambda p: (order["left"][p[0]], order["right"][p[1]]))
    starts = {}
    for released_by, received_by, n in left_order:
        a = columns["left"][released_by]
        starts[(released_by, received_by)] = a["y"] + a["used"] + n * unit / 2
        a["used"] += n * unit
    for released_by, received_by, n in sorted(pairs, key=lambda p: (order["right"][p[1]], order["left"][p[0]])):
        b = columns["right"][received_by]
        y0, y1 = starts[(released_by, received_by)], b["y"] + b["used"] + n * unit / 2
        b["used"] += n * unit
        x0, x1 = left_x + NODE_W, right_x
        mid = (x0 + x1) / 2
        # A ribbon filled between two curves, each edge from one node's edge to the other's: a thick stroked curve
        # bulged past the nodes where the columns stand close (a phone), since a stroke widens across its bends.
        h = max(n * unit, 1) / 2
        top = f"M{x0} {y0 - h:.2f}C{mid} {y0 - h:.2f} {mid} {y1 - h:.2f} {x1} {y1 - h:.2f}"
        bottom = f"L{x1} {y1 + h:.2f}C{mid} {y1 + h:.2f} {mid} {y0 + h:.2f} {x0} {y0 + h:.2f}Z"
        bands.append({"d": top + bottom, "w": round(2 * h, 2), "number": n, "released_by": released_by,
                      "received_by": received_by})  # fmt: skip
    scale = nice_scale(unit)
    key_y = math.ceil(height) + 2 * gap
    return {
        "nodes": [*columns["left"].values(), *columns["right"].values()], "bands": bands, "width": width,
        "unit": unit, "font": font, "line_h": line_h, "node_w": NODE_W,
        "scale": {"people": scale, "h": round(scale * unit, 2), "x": left_x, "y": key_y,
                  "label_x": left_x + NODE_W + 6, "label_y": round(key_y + scale * unit / 2, 2)},
        "height": math.ceil(key_y + max(scale * unit, line_h) + 4),
    }  # fmt: skip


def flow_panels(flows: list[Flow]) -> list[dict]:
    """The flows drawn as two panels, each to its own stated scale: the people named one by one, and the people
    exchanges count without naming (hundreds in one exchange would otherwise make the named ones hairlines)."""
    panels = []
    for kind, number_of in (("named", lambda f: f.named), ("counted", lambda f: f.counted)):
        pairs = [(f.released_by, f.received_by, number_of(f)) for f in flows if number_of(f)]
        if not pairs:
            continue
        panels.append({
            "kind": kind, "total": sum(p[2] for p in pairs),
            "pairs": [(countries.name(a) or a, countries.name(b) or b, n) for a, b, n in pairs],
            **{name: sankey(pairs, **layout) for name, layout in LAYOUTS.items()},
        })  # fmt: skip
    return panels


def filter_countries(flows: list[Flow]) -> list[tuple[str, str]]:
    """(code, name) of every state in the flows, for the page's country menu: a group or a side not on file is no
    country the filter takes, so it is not offered (choosing one answered 400)."""
    codes = {f.released_by for f in flows} | {f.received_by for f in flows}
    return sorted(((c, countries.name(c)) for c in codes if countries.name(c)), key=lambda cn: cn[1])

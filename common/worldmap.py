"""A world map drawn on the server: Natural Earth 1:110m countries (vendored TopoJSON) as SVG paths.

Equirectangular projection, cropped to 58°S–84°N (no Antarctica), computed once per process;
the whole map is about 47 kB of path data (relative whole units).
"""

import functools
import itertools
import json
import math
from pathlib import Path

from django.conf import settings
from django_countries import countries

TOPOJSON = Path(settings.BASE_DIR) / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH, SOUTH, NORTH = 960, -58.0, 84.0
SCALE = WIDTH / 360  # units per degree
HEIGHT = round((NORTH - SOUTH) * SCALE, 1)


def _project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon + 180) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs: delta-encoded integer positions, scaled and translated back to longitude and latitude."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(_project(x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    """Stitch a ring from arc indexes (~i means arc i reversed), dropping each joint's repeated point."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return _unwrap(points)


def _unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Keep a ring that crosses the 180° meridian (Russia's Chukotka, Fiji) in one piece: instead of a streak
    across the whole map, its far side continues past the edge, where the viewBox clips it."""
    if not points:
        return points
    out, offset, previous = [], 0.0, points[0][0]
    for x, y in points:
        if x - previous > WIDTH / 2:
            offset -= WIDTH
        elif previous - x > WIDTH / 2:
            offset += WIDTH
        previous = x
        out.append((round(x + offset, 1), y))
    middle = sum(x for x, _ in out) / len(out)
    shift = -WIDTH if middle > WIDTH else WIDTH if middle < 0 else 0
    return [(round(x + shift, 1), y) for x, y in out] if shift else out


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """Whole units (a unit is 0.375°, finer than a 1:110m outline), each point relative to the one before, and
    repeated points dropped: about half the bytes of absolute coordinates."""
    parts = []
    for ring in rings:
        points: list[tuple[int, int]] = []
        for x, y in ring:
            p = (round(x), round(y))
            if not points or p != points[-1]:
                points.append(p)
        if len(points) < 3:
            continue
        (x0, y0), out = points[0], []
        for (ax, ay), (bx, by) in itertools.pairwise(points):
            out.append(f"{bx - ax} {by - ay}")
        parts.append(f"M{x0} {y0}l" + " ".join(out) + "z")
    return "".join(parts)


@functools.cache
def country_shapes() -> tuple[tuple[str, str, str], ...]:
    """(alpha-2 code or "", name, SVG path) for every country; "" for the few territories without an ISO code."""
    topology = json.loads(TOPOJSON.read_text())
    arcs = _decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        numeric = geometry.get("id")
        code = countries.alpha2(int(numeric)) if numeric and numeric.isdigit() else ""
        name = geometry.get("properties", {}).get("name", "")
        if code == "AQ":
            continue  # Antarctica: nobody is held there, and it would fill the bottom of the map
        shapes.append((code or "", name, _path(rings)))
    return tuple(shapes)


def map_level(n: int, top: int) -> int:
    """The shade of a country holding `n` people when the most held by one state is `top`: 0 for none, then four
    steps, darker is more; the most held is always the darkest."""
    if not n:
        return 0
    return 1 + round(3 * (n - 1) / (top - 1)) if top > 1 else 4


def map_legend(top: int) -> list[dict]:
    """The key of the map: each shade of the scale from 1 to `top` with the numbers of people it stands for (a
    shade no state falls in today included, as a choropleth's key shows its whole scale), lowest first
    ({"level", "low", "high"}); the steps follow `map_level`, so the key cannot drift from the shading."""
    steps: dict[int, list[int]] = {}
    if top == 1:
        return [{"level": 4, "low": 1, "high": 1}]
    for level in range(1, 5):
        # The numbers n with round(3 (n - 1) / (top - 1)) = level - 1, found without walking 1..top.
        low = max(1, math.ceil((level - 1.5) * (top - 1) / 3 + 1 - 1e-9))
        high = min(top, math.floor((level - 0.5) * (top - 1) / 3 + 1 + 1e-9))
        while low <= high and map_level(low, top) != level:
            low += 1
        while high >= low and map_level(high, top) != level:
            high -= 1
        if low <= high:
            steps[level] = [low, high]
    return [{"level": level, "low": low, "high": high} for level, (low, high) in sorted(steps.items())]


def held_map(counts: dict[str, int]) -> dict:
    """The map with each country shaded by how many people it holds (four steps, darker is more), with its key."""
    top = max(counts.values(), default=0)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "shapes": [
            {
                "code": code,
                "name": name,
                "d": d,
                "count": counts.get(code, 0),
                "level": map_level(counts.get(code, 0), top),
            }
            for code, name, d in country_shapes()
        ],  # fmt: skip
        "legend": map_legend(top) if top else [],
    }

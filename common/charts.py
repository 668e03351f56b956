"""Server-rendered charts: the geometry is computed here, the SVG drawn by a template, so pages need no script.

Every chart is an `<svg role="img">` with a title and a text description and no link inside (links inside an
image are unreachable to some readers and trip axe's nested-interactive rule); each page puts an HTML table with
the same figures, and the links, beside it. Text sizes are set in CSS per screen width, in viewBox units, so labels
stay readable when the picture shrinks to a phone.
"""

import math

# Width of a year label in viewBox units at the phone text size (19 units, see .chart text in site.css) and at the
# desk's (11 units), as Chromium draws "2024" in the system sans-serif: 48.4 and 28.
NARROW_YEAR_LABEL = 49
WIDE_YEAR_LABEL = 28
# Between two year labels at least this much (about 8 px on a phone): labels 2.4 units apart read as one number.
LABEL_GAP = 12
LABEL_STEPS = (1, 2, 5, 10, 20, 50, 100)  # a label every so many years, on years divisible by it
NARROW_VALUE_LABEL = 24


def label_step(slot: float, label: float) -> int:
    """The fewest years between labels `label` units wide that leaves `LABEL_GAP` between them."""
    return next((step for step in LABEL_STEPS if step * slot >= label + LABEL_GAP), LABEL_STEPS[-1])


def nice_step(top: int, max_ticks: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that covers `top` in at most `max_ticks` steps."""
    if top <= max_ticks:
        return 1
    magnitude = 10 ** int(math.log10(top / max_ticks))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if top / step <= max_ticks:
            return step
    return 10 * magnitude


def bar_chart(rows: list[tuple[int, int]], *, width: int = 480, height: int = 240) -> dict:
    """Geometry of a vertical bar chart of (year, count), every year of the range shown, with a y axis.

    Margins keep every label inside the picture: value labels above the tallest bar, year labels below, tick
    labels on the left. Year labels stand apart at both text sizes: `show_label` at a desk, `narrow_label` on a
    phone (the template hides the one or the other by CSS).
    """
    if not rows:
        return {"bars": [], "ticks": [], "width": width, "height": height}
    counts = dict(rows)
    years = list(range(min(counts), max(counts) + 1))
    left, right, top_margin, bottom = 40, 8, 26, 32
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    base = top_margin + plot_h
    top = max(counts.values())
    step = nice_step(top)
    y_max = max(step, math.ceil(top / step) * step)
    slot = plot_w / len(years)
    every_wide, every_narrow = label_step(slot, WIDE_YEAR_LABEL), label_step(slot, NARROW_YEAR_LABEL)
    bars = []
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = round(plot_h * n / y_max, 1)
        x = left + i * slot
        centre = x + slot / 2
        bars.append({
            "year": year, "count": n, "x": round(x + slot * 0.15, 1), "w": round(slot * 0.7, 1),
            "y": round(base - h, 1), "h": h, "label_x": round(x + slot / 2, 1), "value_y": round(base - h - 6, 1),
            # on years divisible by the step, and never past the picture's edge (the last one was cut in half)
            "show_label": year % every_wide == 0 and centre + WIDE_YEAR_LABEL / 2 <= width,
            "narrow_label": year % every_narrow == 0 and centre + NARROW_YEAR_LABEL / 2 <= width,
            "narrow_value": slot >= NARROW_VALUE_LABEL,
        })  # fmt: skip
    ticks = [{"value": v, "y": round(base - plot_h * v / y_max, 1)} for v in range(0, y_max + 1, step)]
    return {
        "bars": bars, "ticks": ticks, "width": width, "height": height, "left": left, "right": width - right,
        "base": base, "label_y": height - 10, "total": sum(counts.values()),
    }  # fmt: skip

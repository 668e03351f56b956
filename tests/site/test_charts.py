"""The overview chart: an axis, every label inside the picture, nothing focusable inside it, a table behind it."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.charts import bar_chart, nice_step


@given(st.dictionaries(st.integers(1950, 2030), st.integers(0, 5000), min_size=1, max_size=60))
def test_every_label_and_bar_stays_inside_the_picture(counts):
    chart = bar_chart(sorted(counts.items()))
    for bar in chart["bars"]:
        assert bar["y"] >= 0 and bar["y"] + bar["h"] <= chart["height"]
        assert bar["value_y"] >= 19  # room for a value label at the phone size above the tallest bar
        assert 0 <= bar["x"] and bar["x"] + bar["w"] <= chart["width"]
    assert chart["label_y"] <= chart["height"]
    assert chart["ticks"][-1]["value"] >= max(counts.values())  # the axis reaches the tallest bar
    assert len(chart["ticks"]) <= 7


@pytest.mark.parametrize(("top", "step"), [(1, 1), (5, 1), (6, 2), (12, 5), (49, 10), (2043, 500)])
def test_axis_steps_are_round_numbers(top, step):
    assert nice_step(top) == step


def test_year_labels_thin_out_rather_than_overlap():
    chart = bar_chart([(1990, 1), (2024, 2)])  # 35 years in 440 units
    shown = [b["year"] for b in chart["bars"] if b["show_label"]]
    on_phone = [b["year"] for b in chart["bars"] if b["narrow_label"]]
    # every fifth year at both sizes here (a desk's labels are narrower, but two years apart would leave no gap)
    assert 1990 in shown and len(shown) < 35 and len(on_phone) <= len(shown)


@pytest.mark.django_db
def test_overview_chart_has_an_axis_no_link_inside_and_a_table_of_links(client, demo):
    html = client.get("/").content.decode()
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert "<a " not in svg and "tabindex" not in svg
    assert 'class="axis"' in svg and 'class="tick"' in svg
    assert 'role="img"' in svg and "<title" in svg and "2022: 2." in svg
    table = html.split('<details class="chart-table">')[1].split("</details>")[0]
    assert re.findall(r"\?year=(\d+)", table) == ["2011", "2022", "2024"]  # years with exchanges only
    assert ">4</td></tr></tfoot>" in table  # Shalit 2011, Griner–Bout and Reed–Yaroshenko 2022, Ankara 2024


@given(st.dictionaries(st.integers(1950, 2030), st.integers(0, 50), min_size=1, max_size=60))
def test_year_labels_stand_apart_and_inside_the_picture_at_both_text_sizes(counts):
    """At 390 px the overview's years touched ("20102012…", 2.4 units apart) and the last one was cut in half."""
    from common.charts import LABEL_GAP, NARROW_YEAR_LABEL, WIDE_YEAR_LABEL

    chart = bar_chart(sorted(counts.items()))
    for key, width in (("show_label", WIDE_YEAR_LABEL), ("narrow_label", NARROW_YEAR_LABEL)):
        centres = [b["label_x"] for b in chart["bars"] if b[key]]
        for a, b in zip(centres, centres[1:], strict=False):
            assert b - a >= width + LABEL_GAP - 0.2, (key, a, b)  # label_x is rounded to a tenth
        assert all(width / 2 <= x <= chart["width"] - width / 2 for x in centres), key
    if len(chart["bars"]) > 1:
        assert any(b["narrow_label"] for b in chart["bars"]) or len(chart["bars"]) < 5

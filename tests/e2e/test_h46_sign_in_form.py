"""The sign-in form's fields line up: each label above its box, both boxes starting at one edge and as wide, on a
desk screen and on a phone."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_in_fields_are_aligned(page, screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/account/login/")
    screenshot(page, f"h46-sign-in-{width}")
    email, password = page.locator("#id_username").bounding_box(), page.locator("#id_password").bounding_box()
    labels = [page.locator(f'label[for="{i}"]').bounding_box() for i in ("id_username", "id_password")]
    assert abs(email["x"] - password["x"]) < 1, (email, password)
    assert abs(email["width"] - password["width"]) < 1, (email, password)
    for label, box in zip(labels, (email, password), strict=True):
        assert label["y"] + label["height"] <= box["y"] + 1, (label, box)  # the label above its box
        assert abs(label["x"] - box["x"]) < 1, (label, box)
    assert email["x"] + email["width"] <= width  # nothing runs off a phone's screen

"""In Chromium, with the site's CSP on: submitting the list's filters puts only the fields filled into the address
(`?citizenship=US`, not `?q=&citizenship=US&held_on=&…&ordering=`), and going back leaves no field disabled."""

import pytest

from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_empty_fields_stay_out_of_the_address(browser, live_server, width):
    DetaineeFactory(citizenships=["US"])
    DetaineeFactory(citizenships=["RU"])
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/detainees/", wait_until="load")
    if width < 700:
        page.click("aside.filters summary")  # on a phone the filters fold into one line
    page.select_option("#id_citizenship", "US")
    page.click("aside.filters button[type=submit]")
    page.wait_for_url("**/detainees/?citizenship=US")
    assert page.url.endswith("/detainees/?citizenship=US")
    page.go_back()
    page.wait_for_load_state("load")
    assert page.eval_on_selector_all("form [disabled]", "fields => fields.length") == 0
    assert errors == []
    context.close()

"""The API is not translated: /ru/api/… answers 301 to /api/…, the query kept."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path, target",
    [
        ("/ru/api/v1/", "/api/v1/"),
        ("/ru/api/v1/detainees/?q=%D0%91%D1%83%D1%82&page_size=5",
         "/api/v1/detainees/?q=%D0%91%D1%83%D1%82&page_size=5"),
        ("/ru/api/schema/", "/api/schema/"),
        ("/ru/api/docs/", "/api/docs/"),
    ],
)
def test_russian_prefixed_api_addresses_redirect_to_the_api(client, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target

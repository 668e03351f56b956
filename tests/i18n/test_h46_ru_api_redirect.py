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


@pytest.mark.parametrize(
    "path, target",
    [("/ru/admin/", "/admin/"), ("/ru/admin/detainees/detainee/?q=whelan", "/admin/detainees/detainee/?q=whelan")],
)
def test_russian_prefixed_admin_addresses_redirect_to_the_admin(client, path, target):
    """The admin has one address (its language is each editor's choice): /ru/admin/… was a 404 a new user met."""
    response = client.get(path)
    assert response.status_code == 301 and response["Location"] == target


def test_an_unknown_query_parameter_is_named_in_the_language_asked(client):
    for path in ["/api/v1/detainees/?citizenshp=US", "/api/v1/detainees/suggest/?x=1&q=bo", "/api/v1/census/?x=1",
                 "/api/v1/changes/?x=1"]:  # fmt: skip
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
        assert response.status_code == 400, path
        message = str(response.json())
        assert "Неизвестный параметр запроса. Известные параметры:" in message and "Unknown" not in message, path
        english = str(client.get(path).json())
        assert "Unknown query parameter. Known parameters:" in english, path

"""h59: `updated_since=yesterday` answered 400 with "Enter a valid date/time." and no word of the format. The error
names it: an ISO 8601 date or date-time, with examples; in the reader's language on Russian requests."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("endpoint", ["/api/v1/detainees/", "/api/v1/exchanges/"])
def test_a_bad_updated_since_names_the_format_with_an_example(client, endpoint):
    response = client.get(endpoint, {"updated_since": "yesterday"})
    assert response.status_code == 400
    message = " ".join(response.json()["updated_since"])
    assert "ISO 8601" in message and "2024-08-01" in message and "2024-08-01T00:00:00Z" in message


def test_the_formats_the_message_names_are_accepted(client):
    for value in ("2024-08-01", "2024-08-01T00:00:00Z", "2024-08-01T03:00:00+03:00"):
        assert client.get("/api/v1/detainees/", {"updated_since": value}).status_code == 200, value


def test_the_message_is_russian_for_a_russian_reader(client):
    response = client.get("/api/v1/detainees/", {"updated_since": "вчера"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    message = " ".join(response.json()["updated_since"])
    assert "ISO 8601" in message and "2024-08-01" in message and "дат" in message

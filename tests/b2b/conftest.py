import pytest
from django.test import Client


@pytest.fixture
def web_as(make_user):
    """web_as("service") -> a Django test client logged in as a user of that role (pages speak zh-Hans)."""
    clients: dict = {}

    def _client(role: str) -> Client:
        if role not in clients:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.force_login(make_user(role))
            clients[role] = client
        return clients[role]

    return _client

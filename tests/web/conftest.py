import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def login():
    """login(user) -> a Client logged in as that user (Japanese, the default language)."""

    def make(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Photos go to a throwaway MEDIA_ROOT, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def login():
    """login(user) -> a Client logged in as that user (Japanese, the default language)."""

    def make(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture
def login_en(login):
    """login_en(user) -> a logged-in Client that asked for English pages (to match English messages)."""

    def make(user):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make

"""The API token clients and the logged-in page clients of tests/api and tests/web, for privacy's tests."""

from tests.api.conftest import api  # noqa: F401
from tests.web.conftest import login, login_en  # noqa: F401

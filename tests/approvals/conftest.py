from tests.web.conftest import client_as  # noqa: F401  (logged-in clients per role)

import pytest

from tests.factories import UserFactory

PASSWORD = "right-horse-battery-staple"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def dora(db):
    """A person with an account and no organiser role."""
    user = UserFactory(username="dora", email="dora@city.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password=PASSWORD, *, address="203.0.113.7", agent=FIREFOX):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
    )

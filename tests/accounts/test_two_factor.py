"""Two-factor sign-in: set-up with a real TOTP code, the second sign-in step, replays, recovery
codes, the code step's rate limit and hostile input in the code field."""

import re
import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from events_site.accounts import two_factor
from events_site.accounts.reauth import SESSION_KEY as REAUTH_KEY

from .conftest import code_for, give_two_factor, sign_in_with_password

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/set-up/"
CODE_STEP = "/accounts/two-factor/code/"
RECOVERY = "/accounts/two-factor/recovery-codes/"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Set-up ---
def test_set_up_shows_a_qr_code_and_the_secret_and_confirms_with_a_real_code(client, alice):
    client.force_login(alice)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    secret = two_factor.secret_text(device)
    assert secret in html and re.fullmatch(r"[A-Z2-7 ]+", secret)

    wrong = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not two_factor.has_two_factor(alice)

    done = client.post(SETUP, {"code": code_for(device), "next": "/manage/"})
    assert done.status_code == 302 and done["Location"].startswith(RECOVERY)
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    shown = client.get(RECOVERY).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) == (
        set(codes)
    )
    again = client.get(RECOVERY).content.decode()
    assert not any(code in again for code in codes), "recovery codes are shown only once"
    assert "You have 10 recovery codes left." in again


def test_reloading_the_set_up_page_keeps_the_same_secret(client, alice):
    client.force_login(alice)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_set_up_needs_a_recent_sign_in(client, alice):
    client.force_login(alice)
    session = client.session
    del session[REAUTH_KEY]
    session.save()
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")


def test_moving_to_a_new_app_replaces_the_old_one_once_confirmed(client, alice):
    old = give_two_factor(alice)
    client.force_login(alice)
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert two_factor.verify(user=alice, code=code_for(old)) is not None, "old app still works"
    client.post(SETUP, {"code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=alice)) == [new]


# --- The second step of signing in ---
def test_an_account_without_an_app_signs_in_with_the_password_alone(client, with_password):
    response = sign_in_with_password(client, with_password)
    assert response.status_code == 302 and _signed_in(client)


def test_with_an_app_the_password_is_only_the_first_step(client, with_password):
    device = give_two_factor(with_password)
    response = sign_in_with_password(client, with_password, next_url="/wcg-2027/manage/")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_STEP}?next=%2Fwcg-2027%2Fmanage%2F"
    assert not _signed_in(client)
    assert client.get("/manage/").status_code == 302  # still signed out

    page = client.get(response["Location"])
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    done = client.post(CODE_STEP, {"code": code_for(device), "next": "/wcg-2027/manage/"})
    assert done.status_code == 302 and done["Location"] == "/wcg-2027/manage/"
    assert _signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert isinstance(client.session[REAUTH_KEY], int)


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(client, with_password):
    give_two_factor(with_password)
    response = client.post(CODE_STEP, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_half_finished_sign_in_expires(client, with_password):
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    session = client.session
    session[two_factor.PENDING_KEY]["at"] = int(time.time()) - two_factor.PENDING_MAX_AGE - 1
    session.save()
    response = client.post(CODE_STEP, {"code": code_for(device)})
    assert response.status_code == 302 and not _signed_in(client)


def test_a_wrong_code_is_refused_beside_the_field(client, with_password):
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE_STEP, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not _signed_in(client)


def test_a_code_is_accepted_once_and_a_replay_is_refused(client, with_password):
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    code = code_for(device)  # read after the (slow) password step, as a person would
    assert client.post(CODE_STEP, {"code": code}).status_code == 302
    client.post("/accounts/logout/")
    sign_in_with_password(client, with_password)
    replay = client.post(CODE_STEP, {"code": code})
    assert replay.status_code == 200 and not _signed_in(client)
    following = code_for(device, at=time.time() + device.step)
    assert client.post(CODE_STEP, {"code": following}).status_code == 302


def test_a_recovery_code_signs_in_once(client, with_password):
    give_two_factor(with_password, recovery_codes=("abcdefgh",))
    sign_in_with_password(client, with_password)
    assert client.post(CODE_STEP, {"code": "ABCD-EFGH"}).status_code == 302
    assert _signed_in(client)
    client.post("/accounts/logout/")
    sign_in_with_password(client, with_password)
    again = client.post(CODE_STEP, {"code": "abcdefgh"})
    assert again.status_code == 200 and not _signed_in(client)
    assert not StaticToken.objects.filter(token="abcdefgh").exists()


def test_regenerating_recovery_codes_needs_a_recent_sign_in_and_retires_the_old_ones(client, alice):
    give_two_factor(alice, recovery_codes=("abcdefgh",))
    client.force_login(alice)
    session = client.session
    del session[REAUTH_KEY]
    session.save()
    stale = client.post("/accounts/two-factor/recovery-codes/new/")
    assert stale.status_code == 302 and stale["Location"].startswith("/accounts/reauth/")
    assert StaticToken.objects.filter(token="abcdefgh").exists()

    session = client.session
    session[REAUTH_KEY] = int(time.time())
    session.save()
    fresh = client.post("/accounts/two-factor/recovery-codes/new/")
    assert fresh.status_code == 302
    assert not StaticToken.objects.filter(token="abcdefgh").exists()
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    assert len(re.findall(r"<li><code>", client.get(RECOVERY).content.decode())) == 10


def test_turning_it_off_needs_a_recent_sign_in(client, alice):
    give_two_factor(alice)
    client.force_login(alice)
    session = client.session
    del session[REAUTH_KEY]
    session.save()
    stale = client.post("/accounts/two-factor/turn-off/")
    assert stale.status_code == 302 and stale["Location"].startswith("/accounts/reauth/")
    assert two_factor.has_two_factor(alice)
    session = client.session
    session[REAUTH_KEY] = int(time.time())
    session.save()
    assert client.post("/accounts/two-factor/turn-off/").status_code == 302
    assert not two_factor.has_two_factor(alice)
    assert not StaticToken.objects.filter(device__user=alice).exists()


def test_the_overview_page_says_whether_it_is_on(client, alice):
    client.force_login(alice)
    assert "is off" in client.get("/accounts/two-factor/").content.decode()
    give_two_factor(alice)
    html = client.get("/accounts/two-factor/").content.decode()
    assert "is on" in html and "2 recovery codes left" in html


# --- Rate limit and axes ---
def test_wrong_codes_are_limited_per_account(client, with_password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor_account": "3/15m"}
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    for _ in range(3):
        assert client.post(CODE_STEP, {"code": "abcdefgz"}).status_code == 200
    refused = client.post(CODE_STEP, {"code": code_for(device)})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert not _signed_in(client)


def test_the_account_limit_holds_from_another_address(client, with_password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor_account": "2/15m"}
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    for address in ("10.0.0.1", "10.0.0.2"):
        client.post(CODE_STEP, {"code": "999999x"}, REMOTE_ADDR=address)
    response = client.post(CODE_STEP, {"code": code_for(device)}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429


def test_wrong_codes_are_limited_per_address_across_accounts(client, with_password, bob, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor": "2/15m"}
    give_two_factor(bob)
    client.force_login(bob)  # a signed-in session asked for its code
    client.post(CODE_STEP, {"code": "zzzzzzzz"})
    client.post(CODE_STEP, {"code": "zzzzzzzz"})
    client.post("/accounts/logout/")
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    assert client.post(CODE_STEP, {"code": code_for(device)}).status_code == 429


def test_a_right_code_is_not_counted(client, with_password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor_account": "1/15m"}
    device = give_two_factor(with_password)
    for offset in (0, 1):
        sign_in_with_password(client, with_password)
        code = code_for(device, at=time.time() + offset * device.step)
        assert client.post(CODE_STEP, {"code": code}).status_code == 302
        client.post("/accounts/logout/")


def test_the_sign_in_page_keeps_its_address_limit(client, with_password, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": "2/h"}
    give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    sign_in_with_password(client, with_password)
    assert sign_in_with_password(client, with_password).status_code == 429


def test_axes_still_locks_the_account_after_wrong_passwords(client, with_password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    give_two_factor(with_password)
    for _ in range(3):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert sign_in_with_password(client, with_password).status_code == 429


# --- Hostile input in the code field ---
@pytest.mark.parametrize(
    "value",
    [
        "12\x1b3456",
        "123\x0b456",
        "\u202e654321",
        "1" * 10_000,
        "abc!@#",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "１２３４５６７８９",
        "",
        "١٢٣",
    ],
    ids=["esc", "vt", "bidi", "10kB", "symbols", "markup", "sql", "too-long-digits", "empty", "3"],
)
def test_hostile_codes_are_refused_beside_the_field_and_counted(
    client, with_password, value, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "two_factor_account": "1/15m"}
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    response = client.post(CODE_STEP, {"code": value})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert not _signed_in(client)
    assert client.post(CODE_STEP, {"code": code_for(device)}).status_code == 429


def test_a_nul_byte_is_refused_before_the_view(client, with_password):
    give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    assert client.post(CODE_STEP, {"code": "12\x003456"}).status_code == 400


def test_arabic_indic_and_full_width_digits_are_read_as_the_same_code(client, with_password):
    device = give_two_factor(with_password)
    sign_in_with_password(client, with_password)
    code = code_for(device)
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    assert client.post(CODE_STEP, {"code": f" {arabic[:3]} {arabic[3:]} "}).status_code == 302
    assert _signed_in(client)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("123 456", "123456"),
        ("123-456", "123456"),
        ("۱۲۳۴۵۶", "123456"),
        ("１２３４５６", "123456"),
        ("ABCD EFGH", "abcdefgh"),
    ],
)
def test_codes_are_normalised(typed, read):
    assert two_factor.normalise_code(typed) == read


@pytest.mark.parametrize(
    "typed", ["12345", "1234567", "abcdefg1", "abcdéfgh", "аbcdefgh", "\x7f123456", "x" * 65]
)
def test_codes_of_the_wrong_shape_are_refused(typed):
    with pytest.raises(two_factor.CodeRefused):
        two_factor.normalise_code(typed)

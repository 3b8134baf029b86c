"""API tokens per congress and role: stored hashed, shown once, scoped at every use to the
token's congress and role (no wider than its creator's, then and now), expiring, revocable, and
managed from the organiser page by each team member (owners: every token of the congress)."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from events_site.accounts.reauth import SESSION_KEY
from events_site.congresses import api_tokens, services
from events_site.congresses.api_limits import LimitedTokenAuthentication
from events_site.congresses.enums import Role
from events_site.congresses.models import ApiToken, AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create(user, congress, role="checkin", name="Scanner, desk 2", **fields):
    return api_tokens.create_token(congress=congress, by=user, name=name, role=role, **fields)


def api(key: str, keyword: str = "Token", **extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def search_url(congress) -> str:
    return f"/api/v1/congresses/{congress.slug}/checkin/search/"


def venues_url(congress) -> str:
    return f"/api/v1/congresses/{congress.slug}/venues/"


def finance_url(congress) -> str:
    return f"/api/v1/congresses/{congress.slug}/payments/orders/"


def list_url(congress) -> str:
    return reverse("congresses:api_tokens", kwargs={"congress_slug": congress.slug})


def create_url(congress) -> str:
    return reverse("congresses:api_token_create", kwargs={"congress_slug": congress.slug})


def revoke_url(congress, token) -> str:
    return reverse(
        "congresses:api_token_revoke", kwargs={"congress_slug": congress.slug, "token_id": token.pk}
    )


def every_stored_value() -> str:
    """Every row of every table, as text: for 'the key is nowhere in the database'."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


# --- Storage ---------------------------------------------------------------------------------


def test_the_key_is_stored_only_as_its_sha256(alice, congress):
    created = create(alice, congress, role="owner")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert created.key.startswith("cvn_") and len(created.key) >= 40
    assert token.prefix == created.key[:12]
    assert created.key not in every_stored_value()


def test_the_key_is_shown_once_on_the_answer_to_the_creation(client, alice, congress):
    client.force_login(alice)
    response = client.post(create_url(congress), {"name": "Desk app", "role": "checkin"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert key in response.content.decode()
    assert api_tokens.hash_key(key) == ApiToken.objects.get().key_hash
    for page in (list_url(congress), create_url(congress)):
        assert key not in client.get(page).content.decode()
    assert key not in every_stored_value()


def test_two_tokens_never_share_a_key(alice, congress):
    keys = {create(alice, congress).key for _ in range(20)}
    assert len(keys) == 20


# --- Authentication --------------------------------------------------------------------------


def test_a_token_authenticates_as_its_creator_and_request_auth_is_the_token(bob, congress):
    created = create(bob, congress)
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {created.key}")
    user, auth = LimitedTokenAuthentication().authenticate(Request(request))
    assert user == bob and auth == created.token


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_the_scanner_header_and_bearer_are_both_accepted(bob, congress, keyword):
    key = create(bob, congress).key
    assert api(key, keyword).get(search_url(congress), {"q": "a"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token cvn_" + "x" * 43,
        "Bearer \u00e9t\u00e9",
        "Token " + "x" * 10_000,
    ],
)
def test_malformed_and_unknown_keys_are_401(congress, bob, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(search_url(congress), {"q": "a"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_acts_in_its_congress_only(alice, congress, other_congress):
    services.grant_role(congress=other_congress, user=alice, role="owner")
    key = create(alice, congress, role="owner").key
    client = api(key)
    assert client.get(venues_url(congress)).status_code == 200
    assert client.get(venues_url(other_congress)).status_code == 403
    assert client.get(search_url(other_congress), {"q": "a"}).status_code == 403
    listed = client.get("/api/v1/congresses/").json()["results"]
    assert [c["slug"] for c in listed] == [congress.slug]
    # The same person signed in (no token) still reaches both.
    session = APIClient()
    session.force_authenticate(alice)
    assert session.get(venues_url(other_congress)).status_code == 200


def test_a_checkin_token_of_an_owner_cannot_reach_finance_or_the_back_office(alice, congress):
    key = create(alice, congress, role="checkin").key
    client = api(key)
    assert client.get(search_url(congress), {"q": "a"}).status_code == 200
    assert client.get(finance_url(congress)).status_code == 403
    assert client.get(venues_url(congress)).status_code == 403
    patch = client.patch(f"/api/v1/congresses/{congress.slug}/", {"name": "x"}, format="json")
    assert patch.status_code in (403, 404)
    assert client.get("/api/v1/congresses/").json()["results"] == []


def test_a_finance_token_reaches_finance_but_not_check_in(alice, congress):
    client = api(create(alice, congress, role="finance").key)
    assert client.get(finance_url(congress)).status_code == 200
    assert client.get(search_url(congress), {"q": "a"}).status_code == 403


def test_a_superusers_token_is_narrowed_to_its_role(congress):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = api(create(root, congress, role="checkin").key)
    assert client.get(search_url(congress), {"q": "a"}).status_code == 200
    assert client.get(finance_url(congress)).status_code == 403


# --- The role: no wider than the creator's, at creation and at use ---------------------------


def test_a_role_wider_than_the_creators_is_refused_at_creation(bob, congress):
    assert api_tokens.roles_within(bob, congress) == [Role.CHECKIN]
    for role in ("owner", "finance", "registration", "programme"):
        with pytest.raises(api_tokens.TokenError) as refused:
            create(bob, congress, role=role)
        assert refused.value.code == "token_role_too_wide"
    assert not ApiToken.objects.exists()


def test_nobody_creates_a_token_for_a_congress_they_are_not_in(charlie, congress):
    with pytest.raises(api_tokens.TokenError):
        create(charlie, congress)


def test_a_narrower_role_held_through_a_wider_one_is_allowed(congress):
    manager = UserFactory(username="mana")
    services.grant_role(congress=congress, user=manager, role="registration")
    assert api_tokens.roles_within(manager, congress) == [Role.REGISTRATION, Role.CHECKIN]
    create(manager, congress, role="checkin")


def test_a_token_stops_working_when_its_creator_loses_the_role(bob, congress):
    client = api(create(bob, congress).key)
    assert client.get(search_url(congress), {"q": "a"}).status_code == 200
    services.revoke_role(congress=congress, user=bob, role="checkin")
    response = client.get(search_url(congress), {"q": "a"})
    assert response.status_code == 401
    assert "no longer holds its role" in response.json()["detail"]


def test_an_owner_demoted_keeps_a_token_their_new_role_covers_only(alice, congress):
    finance = api(create(alice, congress, role="finance").key)
    checkin = api(create(alice, congress, role="checkin").key)
    services.grant_role(congress=congress, user=alice, role="registration")
    services.revoke_role(congress=congress, user=alice, role="owner")
    assert finance.get(finance_url(congress)).status_code == 401
    assert checkin.get(search_url(congress), {"q": "a"}).status_code == 200


def test_a_deactivated_creators_tokens_are_refused(bob, congress):
    client = api(create(bob, congress).key)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert client.get(search_url(congress), {"q": "a"}).status_code == 401


# --- Expiry and revocation -------------------------------------------------------------------


def test_an_expired_token_is_refused_with_a_clear_message(bob, congress):
    created = create(bob, congress, expires_at=timezone.now() + dt.timedelta(days=1))
    client = api(created.key)
    assert client.get(search_url(congress), {"q": "a"}).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(search_url(congress), {"q": "a"})
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired."


@pytest.mark.parametrize(
    "expires_in", [dt.timedelta(seconds=-1), dt.timedelta(0), dt.timedelta(days=367)]
)
def test_an_expiry_in_the_past_or_beyond_a_year_is_refused(bob, congress, expires_in):
    with pytest.raises(api_tokens.TokenError) as refused:
        create(bob, congress, expires_at=timezone.now() + expires_in)
    assert refused.value.code == "token_expiry_invalid"


def test_a_revoked_token_is_refused_and_revocation_is_audited_once(alice, bob, congress):
    created = create(bob, congress)
    client = api(created.key)
    api_tokens.revoke_token(token=created.token, by=alice)
    api_tokens.revoke_token(token=created.token, by=alice)
    response = client.get(search_url(congress), {"q": "a"})
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked."
    (entry,) = AuditEntry.objects.filter(action="convene.api_token.revoked")
    assert entry.actor == alice and entry.target_id == str(created.token.pk)
    created.token.refresh_from_db()
    assert created.token.revoked_by == alice


def test_creation_is_audited_without_the_key(bob, congress):
    created = create(bob, congress)
    (entry,) = AuditEntry.objects.filter(action="convene.api_token.created")
    assert entry.actor == bob and entry.congress == congress
    assert entry.data["prefix"] == created.token.prefix and entry.data["role"] == "checkin"
    assert created.key not in str(entry.data)


def test_revoked_tokens_do_not_count_as_guesses(settings, bob, congress):
    """A desk app still holding a revoked token must not lock the desk's address out."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token_failure": "3/h"}
    revoked = create(bob, congress)
    api_tokens.revoke_token(token=revoked.token, by=bob)
    stale = api(revoked.key, REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        assert stale.get(search_url(congress), {"q": "a"}).status_code == 401
    fresh = api(create(bob, congress).key, REMOTE_ADDR="198.51.100.7")
    assert fresh.get(search_url(congress), {"q": "a"}).status_code == 200


def test_unknown_keys_are_counted_until_429(settings, bob, congress):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token_failure": "3/h"}
    key = create(bob, congress).key
    guesser = APIClient(REMOTE_ADDR="203.0.113.9")
    for n in range(3):
        guesser.credentials(HTTP_AUTHORIZATION=f"Bearer cvn_guess{n}")
        assert guesser.get(search_url(congress), {"q": "a"}).status_code == 401
    guesser.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert guesser.get(search_url(congress), {"q": "a"}).status_code == 429


# --- Last use --------------------------------------------------------------------------------


def test_last_used_is_written_at_most_once_a_minute(bob, congress, django_assert_num_queries):
    created = create(bob, congress)
    client = api(created.key)
    client.get(search_url(congress), {"q": "a"})
    created.token.refresh_from_db()
    first = created.token.last_used_at
    assert first is not None
    client.get(search_url(congress), {"q": "b"})
    created.token.refresh_from_db()
    assert created.token.last_used_at == first
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    client.get(search_url(congress), {"q": "c"})
    created.token.refresh_from_db()
    assert created.token.last_used_at > first - dt.timedelta(minutes=2)


def test_a_used_token_writes_nothing_within_the_minute(bob, congress, django_assert_num_queries):
    key = create(bob, congress).key
    api_tokens.authenticate(key=key)
    with django_assert_num_queries(2):  # the token (with its creator), the creator's roles
        api_tokens.authenticate(key=key)


def test_use_is_audited_at_most_once_an_hour(bob, congress):
    created = create(bob, congress)
    client = api(created.key, REMOTE_ADDR="192.0.2.44")
    for n in range(5):
        client.get(search_url(congress), {"q": f"n{n}"})
    (entry,) = AuditEntry.objects.filter(action="convene.api_token.used")
    assert entry.actor == bob and entry.data["address"] == "192.0.2.44"
    ApiToken.objects.update(use_recorded_at=timezone.now() - dt.timedelta(hours=2))
    client.get(search_url(congress), {"q": "later"})
    assert AuditEntry.objects.filter(action="convene.api_token.used").count() == 2


# --- Hostile names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a\x00b", "desk\x1b[31m", "line\rbreak", "x\x85y"])
def test_control_characters_in_a_name_are_refused(bob, congress, name):
    with pytest.raises(api_tokens.TokenError) as refused:
        create(bob, congress, name=name)
    assert refused.value.code == "control_character"


def test_a_10_kb_name_is_refused_by_the_service_and_beside_the_field(client, bob, congress):
    with pytest.raises(api_tokens.TokenError):
        create(bob, congress, name="x" * 10_000)
    client.force_login(bob)
    response = client.post(create_url(congress), {"name": "x" * 10_000, "role": "checkin"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_control_character_in_the_form_is_an_error_beside_the_name(client, bob, congress):
    client.force_login(bob)
    response = client.post(create_url(congress), {"name": "desk\x07", "role": "checkin"})
    assert "U+0007" in response.context["form"].errors["name"][0]
    assert not ApiToken.objects.exists()


def test_markup_and_right_to_left_names_are_shown_as_text(client, bob, congress):
    create(bob, congress, name="<script>alert(1)</script>")
    create(bob, congress, name="ماسح المكتب ٢")
    client.force_login(bob)
    page = client.get(list_url(congress)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<td dir="auto">ماسح المكتب ٢</td>' in page


# --- The page --------------------------------------------------------------------------------


def test_bob_sees_only_his_own_tokens(client, alice, bob, congress):
    create(alice, congress, role="owner", name="Alice's script")
    create(bob, congress, name="Bob's scanner")
    client.force_login(bob)
    page = client.get(list_url(congress)).content.decode()
    assert "Bob&#x27;s scanner" in page and "Alice" not in page


def test_an_owner_sees_every_token_of_the_congress_only(client, alice, bob, charlie, congress):
    create(alice, congress, role="owner", name="Alice's script")
    create(bob, congress, name="Bob's scanner")
    create(charlie, charlie.congress_roles.get().congress, name="Charlie's other")
    client.force_login(alice)
    page = client.get(list_url(congress)).content.decode()
    assert "Alice&#x27;s script" in page and "Bob&#x27;s scanner" in page
    assert "Charlie" not in page


def test_an_outsider_is_refused_the_page_and_anonymous_is_sent_to_sign_in(
    client, charlie, congress
):
    assert client.get(list_url(congress))["Location"].startswith("/accounts/login/")
    client.force_login(charlie)
    assert client.get(list_url(congress)).status_code == 403
    assert client.get(create_url(congress)).status_code == 403
    assert client.post(create_url(congress), {"name": "x", "role": "checkin"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_owner_revokes_any_token_after_confirming(client, alice, bob, congress):
    created = create(bob, congress)
    client.force_login(alice)
    confirm = client.get(revoke_url(congress, created.token))
    assert confirm.status_code == 200 and created.token.prefix in confirm.content.decode()
    created.token.refresh_from_db()
    assert created.token.revoked_at is None  # a GET changes nothing
    response = client.post(revoke_url(congress, created.token))
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None and created.token.revoked_by == alice


def test_a_team_member_revokes_their_own_token_but_not_anothers(client, alice, bob, congress):
    own = create(bob, congress)
    others = create(alice, congress, role="owner")
    client.force_login(bob)
    # Another member's token of this congress: seen to exist, not theirs to revoke.
    assert client.post(revoke_url(congress, others.token)).status_code == 403
    assert client.post(revoke_url(congress, own.token)).status_code == 302
    own.token.refresh_from_db()
    others.token.refresh_from_db()
    assert own.token.revoked_at is not None and others.token.revoked_at is None


def test_another_congress_token_id_is_404(client, alice, charlie, congress, other_congress):
    theirs = create(charlie, other_congress)
    client.force_login(alice)
    assert client.get(revoke_url(congress, theirs.token)).status_code == 404
    assert client.post(revoke_url(congress, theirs.token)).status_code == 404
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_the_form_offers_only_roles_within_the_persons_own(client, bob, congress):
    client.force_login(bob)
    form = client.get(create_url(congress)).context["form"]
    assert [value for value, _label in form.fields["role"].choices] == ["checkin"]
    response = client.post(create_url(congress), {"name": "Sneaky", "role": "owner"})
    assert response.context["form"].errors["role"]
    assert not ApiToken.objects.exists()


def test_the_expiry_day_ends_at_midnight_in_the_congress_zone(client, alice, congress):
    client.force_login(alice)
    day = timezone.localdate(timezone=congress.tz) + dt.timedelta(days=30)
    client.post(create_url(congress), {"name": "Month", "role": "checkin", "expires_on": day})
    token = ApiToken.objects.get()
    local = timezone.localtime(token.expires_at, congress.tz)
    assert local.date() == day + dt.timedelta(days=1) and local.time() == dt.time(0)


@pytest.mark.parametrize("days", [-1, 400])
def test_an_expiry_day_out_of_range_is_an_error_beside_the_field(client, alice, congress, days):
    client.force_login(alice)
    day = timezone.localdate(timezone=congress.tz) + dt.timedelta(days=days)
    response = client.post(
        create_url(congress), {"name": "x", "role": "checkin", "expires_on": day}
    )
    assert response.context["form"].errors["expires_on"]
    assert not ApiToken.objects.exists()


def test_creation_asks_for_the_password_again_after_a_while(client, bob, congress):
    client.force_login(bob)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    for response in (
        client.get(create_url(congress)),
        client.post(create_url(congress), {"name": "Late", "role": "checkin"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:reauth"))
    assert not ApiToken.objects.exists()
    # Listing and revoking need no fresh sign-in.
    assert client.get(list_url(congress)).status_code == 200


def test_the_list_of_500_tokens_is_paginated_in_a_few_queries(
    client, alice, bob, congress, django_assert_max_num_queries
):
    ApiToken.objects.bulk_create(
        ApiToken(
            congress=congress,
            user=bob if n % 2 else alice,
            name=f"Scanner {n}",
            role="checkin",
            prefix=f"cvn_{n:08d}",
            key_hash=f"{n:064x}",
            last_used_at=timezone.now() if n % 3 else None,
        )
        for n in range(500)
    )
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(list_url(congress), {"page": 3})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    assert "Page 3 of 10" in response.content.decode()


def test_the_page_is_linked_for_every_team_member(client, bob, congress):
    client.force_login(bob)
    assert list_url(congress) in client.get(reverse("congresses:dashboard")).content.decode()


# --- The admin (superusers) ------------------------------------------------------------------


def test_the_admin_creates_through_the_service_and_shows_the_key_once(client, congress):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:congresses_apitoken_add"),
        {"congress": congress.pk, "name": "Import script", "role": "registration"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.user == root and token.role == "registration"
    (message,) = [str(m) for m in response.context["messages"] if "only once" in str(m)]
    key = message.rsplit(" ", 1)[-1]
    assert api_tokens.hash_key(key) == token.key_hash
    assert AuditEntry.objects.filter(action="convene.api_token.created", actor=root).exists()
    refused = client.post(
        reverse("admin:congresses_apitoken_add"),
        {"congress": congress.pk, "name": "bad\x07", "role": "checkin"},
    )
    assert refused.status_code == 200 and ApiToken.objects.count() == 1


def test_the_admin_revokes_with_an_action(client, bob, congress):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    created = create(bob, congress)
    client.force_login(root)
    client.post(
        reverse("admin:congresses_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [created.token.pk]},
    )
    created.token.refresh_from_db()
    assert created.token.revoked_by == root

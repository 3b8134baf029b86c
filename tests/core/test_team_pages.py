"""The team page: invitations by e-mail with an expiring single-use link, roles given and
taken, the last owner kept, and a recent re-authentication before any of it."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events_site.accounts.reauth import SESSION_KEY
from events_site.congresses import services
from events_site.congresses.models import AuditEntry, TeamInvitation, TeamMembership
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"congresses:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _link_in(message) -> str:
    return re.search(r"http://\S+/manage/invitations/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


@pytest.fixture
def mailed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_owner_invites_and_the_new_person_creates_an_account_and_joins(
    client, alice, congress, mailed, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("team_invite", congress), {"email": "Nadia@City.example", "roles": ["finance"]}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["nadia@city.example"]
    link = _link_in(message)
    client.logout()
    newcomer = client.post(
        _path(link),
        {
            "username": "nadia",
            "first_name": "Nadia",
            "last_name": "Haddad",
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
        },
    )
    assert newcomer.status_code == 302
    membership = TeamMembership.objects.get(congress=congress, user__username="nadia")
    assert membership.role == "finance"
    assert membership.user.email == "nadia@city.example"
    # The link works once.
    again = client.get(_path(link))
    assert "expired or was already used" in again.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"convene.team.invited", "convene.team.invitation_accepted"} <= actions


def test_a_signed_in_person_accepts_with_one_click(client, alice, congress, mailed):
    invitation = services.invite_to_team(
        congress=congress, email="pia@city.example", roles=["programme"], by=alice
    )
    pia = UserFactory(username="pia")
    client.force_login(pia)
    response = client.post(reverse("congresses:invitation", kwargs={"secret": invitation.secret}))
    assert response.status_code == 302
    assert TeamMembership.objects.filter(congress=congress, user=pia, role="programme").exists()


def test_an_expired_or_withdrawn_invitation_does_nothing(client, alice, congress, mailed):
    expired = services.invite_to_team(
        congress=congress, email="a@city.example", roles=["finance"], by=alice
    )
    TeamInvitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    withdrawn = services.invite_to_team(
        congress=congress, email="b@city.example", roles=["finance"], by=alice
    )
    services.withdraw_invitation(invitation=withdrawn, by=alice)
    person = UserFactory(username="someone")
    client.force_login(person)
    for invitation in (expired, withdrawn):
        url = reverse("congresses:invitation", kwargs={"secret": invitation.secret})
        client.post(url)
    assert not TeamMembership.objects.filter(user=person).exists()


def test_a_new_invitation_to_the_same_address_withdraws_the_old_link(alice, congress, mailed):
    first = services.invite_to_team(
        congress=congress, email="a@city.example", roles=["finance"], by=alice
    )
    services.invite_to_team(congress=congress, email="A@city.example", roles=["owner"], by=alice)
    first.refresh_from_db()
    assert first.withdrawn_at is not None


@pytest.mark.parametrize("secret", ["nope", "x" * 500, "<script>", "a/b"])
def test_a_wrong_invitation_link_is_not_found(client, secret):
    response = client.get(f"/manage/invitations/{secret}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not an address", "roles": ["finance"]},
        {"email": "x@city.example", "roles": []},
        {"email": "x@city.example", "roles": ["emperor"]},
        {"email": "x\x07@city.example", "roles": ["finance"]},
        {"email": "a" * 10_000 + "@city.example", "roles": ["finance"]},
    ],
)
def test_bad_invitations_are_refused_beside_the_field(client, alice, congress, mailed, data):
    client.force_login(alice)
    response = client.post(_url("team_invite", congress), data)
    assert response.status_code == 200
    assert response.context["invite_form"].errors
    assert not TeamInvitation.objects.exists()
    assert not mail.outbox


def test_roles_are_given_and_taken_and_audited(client, alice, bob, congress):
    client.force_login(alice)
    client.post(
        _url("team_member_roles", congress, user_id=bob.pk), {"roles": ["checkin", "finance"]}
    )
    held = set(
        TeamMembership.objects.filter(congress=congress, user=bob).values_list("role", flat=True)
    )
    assert held == {"checkin", "finance"}
    client.post(_url("team_member_roles", congress, user_id=bob.pk), {})
    assert not TeamMembership.objects.filter(congress=congress, user=bob).exists()
    assert AuditEntry.objects.filter(action="convene.team.role_revoked").count() == 2


def test_the_last_owner_cannot_give_up_the_role(client, alice, congress):
    client.force_login(alice)
    response = client.post(
        _url("team_member_roles", congress, user_id=alice.pk), {"roles": ["finance"]}, follow=True
    )
    assert "last owner of this congress" in response.content.decode()
    assert TeamMembership.objects.filter(congress=congress, user=alice, role="owner").exists()
    assert not TeamMembership.objects.filter(congress=congress, user=alice, role="finance").exists()


def test_an_owner_may_step_down_when_another_owner_remains(client, alice, congress):
    other = UserFactory(username="otto")
    TeamMembershipFactory(congress=congress, user=other, role="owner")
    client.force_login(alice)
    client.post(_url("team_member_roles", congress, user_id=alice.pk), {"roles": ["programme"]})
    roles = set(
        TeamMembership.objects.filter(congress=congress, user=alice).values_list("role", flat=True)
    )
    assert roles == {"programme"}


def test_someone_outside_the_team_cannot_be_given_roles_through_the_page(
    client, alice, charlie, congress
):
    client.force_login(alice)
    response = client.post(
        _url("team_member_roles", congress, user_id=charlie.pk), {"roles": ["owner"]}
    )
    assert response.status_code == 404
    assert not TeamMembership.objects.filter(congress=congress, user=charlie).exists()


def test_a_stale_sign_in_must_confirm_before_the_team_page(client, alice, congress):
    client.force_login(alice)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    for response in (
        client.get(_url("team", congress)),
        client.post(_url("team_member_roles", congress, user_id=alice.pk), {"roles": []}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauth/")


@pytest.mark.parametrize("role", ["programme", "registration", "finance", "checkin"])
def test_narrower_roles_are_refused(client, congress, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_url("team", congress)).status_code == 403
    assert client.post(_url("team_invite", congress), {"email": "x@y.example"}).status_code == 403


def test_the_member_list_pages_in_a_fixed_number_of_queries(
    client, alice, congress, django_assert_max_num_queries
):
    for n in range(60):
        TeamMembershipFactory(
            congress=congress, user=UserFactory(username=f"m{n:03}"), role="checkin"
        )
    client.force_login(alice)
    with django_assert_max_num_queries(14):
        response = client.get(_url("team", congress))
    assert len(response.context["rows"]) == 25
    found = client.get(_url("team", congress) + "?q=m059")
    assert [p.username for p, _f in found.context["rows"]] == ["m059"]

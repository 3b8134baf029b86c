"""A delegate's own photo (#18): given through their secret link, kept out of the public media,
shown only to check-in staff of the congress to tell homonyms apart, erased with them."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from registrations.services.personal_data import erase_delegate
from tests.factories import DelegateFactory, OrderFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(size=(64, 64), colour=(200, 30, 30)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "wei-wang-passport-photo.png"
    return buffer


def edit_url(delegate):
    order = delegate.order
    return reverse(
        "registrations:delegate_edit",
        kwargs={
            "congress_slug": order.congress.slug,
            "code": order.code,
            "secret": order.secret,
            "delegate_secret": delegate.secret,
        },
    )


def edit_data(delegate, **extra):
    data = {
        "given_name": delegate.given_name,
        "family_name": delegate.family_name,
        "email": delegate.email,
        "country": "PT",
        "language": "en",
    }
    return data | extra


@pytest.fixture
def staff(congress):
    user = UserFactory(username="desk")
    TeamMembershipFactory(congress=congress, user=user, role="checkin")
    return user


def test_a_delegate_gives_a_photo_that_only_check_in_staff_can_see(client, congress, staff):
    wang = DelegateFactory(
        order=OrderFactory(congress=congress), given_name="Wei", family_name="Wang"
    )
    response = client.post(edit_url(wang), edit_data(wang, photo=png()))
    assert response.status_code == 302, response.content.decode()[:2000]
    wang.refresh_from_db()
    assert wang.photo.name.startswith("delegates/")
    assert "passport-photo" not in wang.photo.name  # the upload's own name is not kept
    assert wang.photo.storage.exists(wang.photo.name)
    with pytest.raises(ValueError):
        wang.photo.url  # noqa: B018  (private: no public address)
    url = reverse(
        "badges:delegate_photo", kwargs={"congress_slug": congress.slug, "delegate_id": wang.pk}
    )
    assert client.get(url).status_code in (302, 403)  # the delegate's link is not staff
    client.force_login(staff)
    photo = client.get(url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert photo["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(b"".join(photo.streaming_content))).size == (64, 64)


def test_the_desk_shows_photos_to_tell_two_wang_weis_apart(client, congress, staff):
    one = DelegateFactory(
        order=OrderFactory(congress=congress), given_name="Wei", family_name="Wang"
    )
    DelegateFactory(order=OrderFactory(congress=congress), given_name="Wei", family_name="Wang")
    client.post(edit_url(one), edit_data(one, photo=png()))
    client.force_login(staff)
    html = client.get(
        reverse("badges:checkin", kwargs={"congress_slug": congress.slug}), {"q": "wang"}
    ).content.decode()
    assert html.count('class="result-photo"') == 1
    assert f"/manage/checkin/{one.pk}/photo/" in html


def test_another_congress_staff_and_a_delegate_without_photo_get_404(
    client, congress, other_congress, staff
):
    mine = DelegateFactory(order=OrderFactory(congress=congress))
    client.post(edit_url(mine), edit_data(mine, photo=png()))
    theirs = DelegateFactory(order=OrderFactory(congress=other_congress))
    client.force_login(staff)
    for slug, pk in ((congress.slug, theirs.pk), (congress.slug, 999999)):
        url = reverse("badges:delegate_photo", kwargs={"congress_slug": slug, "delegate_id": pk})
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "upload",
    [
        io.BytesIO(b"%!PS-Adobe-3.0 EPSF-3.0\n"),  # EPS named .png
        io.BytesIO(b"\x00" * 100),
        io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_a_message_and_nothing_is_kept(
    client, congress, upload
):
    upload.name = "photo.png"
    delegate = DelegateFactory(order=OrderFactory(congress=congress))
    response = client.post(edit_url(delegate), edit_data(delegate, photo=upload))
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    delegate.refresh_from_db()
    assert not delegate.photo


def test_removing_and_erasing_delete_the_file(client, congress, django_capture_on_commit_callbacks):
    delegate = DelegateFactory(order=OrderFactory(congress=congress))
    client.post(edit_url(delegate), edit_data(delegate, photo=png()))
    delegate.refresh_from_db()
    first = delegate.photo.name
    storage = delegate.photo.storage
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(delegate), edit_data(delegate, photo=png(colour=(0, 0, 200))))
    delegate.refresh_from_db()
    assert delegate.photo.name != first and not storage.exists(first)
    second = delegate.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        result = erase_delegate(delegate=delegate)
    assert result.counts["photos"] == 1
    delegate.refresh_from_db()
    assert not delegate.photo and not storage.exists(second)

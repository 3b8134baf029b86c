"""The public flow and the self-service page through the HTTP stack."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from registrations.enums import OrderStatus
from registrations.models import Delegate, Order, Question, Voucher
from registrations.services.orders import mark_order_paid, place_order
from registrations.services.setup import save_registration_type
from tests.factories import RegistrationTypeFactory

from .conftest import order_kwargs, save_question_in_admin

pytestmark = pytest.mark.django_db


def details_url(congress):
    return reverse("registrations:details", kwargs={"congress_slug": congress.slug})


def form_data(regtype, count=1, token="tok-1", **extra):  # noqa: S107
    data = {
        "contact_name": "Ana Silva",
        "email": "ana@city.example",
        "language": "en",
        "voucher": "",
        "token": token,
        "delegates-TOTAL_FORMS": str(count),
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "20",
        # straight past the summary step, consent given (test_summary_step covers the step)
        "step": "confirm",
        "consent": "yes",
    }
    for n in range(count):
        data.update(
            {
                f"delegates-{n}-registration_type": str(regtype.pk),
                f"delegates-{n}-given_name": f"Given{n}",
                f"delegates-{n}-family_name": f"Family{n}",
                f"delegates-{n}-email": f"d{n}@city.example",
                f"delegates-{n}-country": "PT",
                f"delegates-{n}-language": "en",
            }
        )
    data.update(extra)
    return data


def test_start_page_lists_types_with_prices(client, congress, regtype):
    response = client.get(reverse("registrations:start", kwargs={"congress_slug": congress.slug}))
    assert response.status_code == 200
    assert "€450.00".encode() in response.content
    assert regtype.name.encode() in response.content


def test_start_page_of_an_unknown_congress_is_404(client, db):
    assert client.get("/nope/register/").status_code == 404


def test_details_step_shows_one_form_per_requested_delegate(client, congress, regtype):
    response = client.get(details_url(congress), {"registration_type": "member", "delegates": 3})
    assert response.status_code == 200
    assert response.content.count(b"data-delegate-form") == 4  # three + the empty template


def test_each_form_page_carries_its_own_one_time_token(client, congress, regtype):
    import re

    pages = [
        client.get(details_url(congress), {"registration_type": "member", "delegates": 1})
        for _ in "ab"
    ]
    tokens = {re.search(r'name="token" value="([^"]+)"', p.content.decode())[1] for p in pages}
    assert len(tokens) == 2


def test_a_question_or_type_change_shows_on_the_next_form_page_at_once(client, congress, regtype):
    query = {"registration_type": "member", "delegates": 1}
    assert b"Arrival date" not in client.get(details_url(congress), query).content
    # Changed the way organisers change them: the admin's question screen, the type service.
    question = save_question_in_admin(congress, label="Arrival date", kind="date")
    assert b"Arrival date" in client.get(details_url(congress), query).content
    save_question_in_admin(congress, question, label="Date of arrival")
    save_registration_type(congress=congress, instance=regtype, name="Member city")
    body = client.get(details_url(congress), query).content.decode()
    assert "Date of arrival" in body and "Arrival date" not in body
    assert body.count("Member city") >= 2  # the type table and the delegate's choice


def test_details_step_with_a_bad_choice_shows_the_error_next_to_the_field(
    client, congress, regtype
):
    response = client.get(details_url(congress), {"registration_type": "nope", "delegates": 0})
    assert response.status_code == 400
    assert "Choose one of the registration types on sale." in response.content.decode()


def test_valid_post_places_one_order_and_redirects_to_it(client, congress, regtype):
    response = client.post(details_url(congress), form_data(regtype, 3))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    assert order.delegates.count() == 3
    assert order.total == Decimal("1350.00")


def test_double_submitted_form_creates_one_order(client, congress, regtype):
    first = client.post(details_url(congress), form_data(regtype, 2))
    second = client.post(details_url(congress), form_data(regtype, 2))
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_token_resubmitted_with_a_changed_body_says_the_order_was_already_placed(
    client, congress, regtype
):
    client.post(details_url(congress), form_data(regtype, 2))
    order = Order.objects.get()
    changed = form_data(regtype, 3, contact_name="Ana Silva-Okafor")
    changed["delegates-2-given_name"] = "Zoë 山田"

    response = client.post(details_url(congress), changed)

    body = response.content.decode()
    assert response.status_code == 409
    assert "This order was already placed" in body
    assert order.get_absolute_url() in body
    assert "were not added to it" in body
    # what the person typed the second time is still on the page, not dropped
    assert "Zoë 山田" in body and "Ana Silva-Okafor" in body
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert order.delegates.count() == 2 and order.contact_name == "Ana Silva"


def test_resubmitting_the_changed_form_from_that_page_places_it_as_a_new_order(
    client, congress, regtype
):
    import re

    client.post(details_url(congress), form_data(regtype, 1))
    answer = client.post(details_url(congress), form_data(regtype, 2))
    fresh = re.search(r'name="token" value="([^"]+)"', answer.content.decode())[1]
    assert fresh != "tok-1"
    again = client.post(details_url(congress), form_data(regtype, 2, token=fresh))
    assert again.status_code == 302
    assert Order.objects.count() == 2


def test_invalid_fields_show_translated_errors_and_hold_nothing(client, congress, regtype):
    data = form_data(regtype, 2, email="not-an-email")
    data["delegates-1-given_name"] = ""
    data["delegates-1-country"] = "XX"
    response = client.post(details_url(congress), data, HTTP_ACCEPT_LANGUAGE="fr")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in body
    assert "Ce champ est obligatoire." in body
    assert not Order.objects.exists() and not Delegate.objects.exists()


def test_required_question_for_the_chosen_type_must_be_answered(client, congress, regtype):
    question = Question.objects.create(
        congress=congress, label="Which city?", kind="choice", choices="A\nB", required=True
    )
    question.registration_types.add(regtype)
    response = client.post(details_url(congress), form_data(regtype, 1))
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    ok = client.post(
        details_url(congress), form_data(regtype, 1, **{f"delegates-0-q_{question.pk}": "B"})
    )
    assert ok.status_code == 302
    assert Delegate.objects.get().answers.get().value == "B"


def test_bad_voucher_is_shown_next_to_the_voucher_field(client, congress, regtype):
    response = client.post(details_url(congress), form_data(regtype, 1, voucher="NOPE"))
    assert response.status_code == 400
    assert "This voucher code is not valid." in response.content.decode()
    assert not Order.objects.exists()


def test_sold_out_is_a_clear_message_not_an_error_page(client, congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=1)
    response = client.post(details_url(congress), form_data(rtype, 2))
    assert response.status_code == 400
    assert "only 1 seat(s) left" in response.content.decode()


def test_voucher_applies_through_the_form(client, congress, regtype):
    Voucher.objects.create(congress=congress, code="HALF", value=Decimal("50"))
    client.post(details_url(congress), form_data(regtype, 2, voucher="half"))
    assert Order.objects.get().total == Decimal("450.00")


def test_removed_delegates_are_not_registered(client, congress, regtype):
    data = form_data(regtype, 3, **{"delegates-1-DELETE": "on"})
    client.post(details_url(congress), data)
    assert Order.objects.get().delegates.count() == 2


def test_order_page_shows_the_order(client, congress, regtype):
    order = place_order(**order_kwargs(congress, regtype, 2))
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    assert order.code.encode() in response.content
    assert b"Silva1" in response.content
    for delegate in order.delegates.all():
        agenda = reverse(
            "agenda:personal",
            kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
        )
        assert agenda.encode() in response.content


@pytest.mark.parametrize("part", ["secret", "code", "congress"])
def test_order_link_with_any_wrong_part_is_404(client, congress, other_congress, regtype, part):
    order = place_order(**order_kwargs(congress, regtype))
    kwargs = {"congress_slug": congress.slug, "code": order.code, "secret": order.secret}
    kwargs[{"secret": "secret", "code": "code", "congress": "congress_slug"}[part]] = {
        "secret": order.secret[:-1] + ("A" if order.secret[-1] != "A" else "B"),
        "code": "ZZZZZZZZ",
        "congress": other_congress.slug,
    }[part]
    assert client.get(reverse("registrations:order", kwargs=kwargs)).status_code == 404


def test_nothing_a_delegate_types_is_rendered_as_markup(client, congress, regtype):
    data = form_data(regtype, 1)
    data["delegates-0-given_name"] = "<script>alert(1)</script>"
    data["contact_name"] = "<b>bold</b>"
    client.post(details_url(congress), data)
    body = client.get(Order.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body


def test_delegate_edits_own_details_via_the_link(client, congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    delegate = order.delegates.get()
    url = reverse(
        "registrations:delegate_edit",
        kwargs={
            "congress_slug": congress.slug,
            "code": order.code,
            "secret": order.secret,
            "delegate_secret": delegate.secret,
        },
    )
    assert client.get(url).status_code == 200
    data = {
        "given_name": "Ana",
        "family_name": "Silva",
        "badge_name": "Dr. Ana Silva",
        "email": "ana@x.example",
        "country": "PT",
        "language": "en",
    }
    assert client.post(url, data).status_code == 302
    delegate.refresh_from_db()
    assert delegate.badge_name == "Dr. Ana Silva"
    bad = client.post(url, {**data, "email": "nope"})
    assert bad.status_code == 400


def test_delegate_of_another_order_cannot_be_edited(client, congress, regtype):
    mine = place_order(**order_kwargs(congress, regtype))
    theirs = place_order(**order_kwargs(congress, regtype)).delegates.get()
    url = reverse(
        "registrations:delegate_edit",
        kwargs={
            "congress_slug": congress.slug,
            "code": mine.code,
            "secret": mine.secret,
            "delegate_secret": theirs.secret,
        },
    )
    assert client.get(url).status_code == 404


def test_cancel_needs_confirmation_then_cancels(client, congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    url = reverse(
        "registrations:order_cancel",
        kwargs={"congress_slug": congress.slug, "code": order.code, "secret": order.secret},
    )
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"confirm": "on"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_confirmation_pdf_for_paid_orders_only(client, congress, regtype):
    order = place_order(**order_kwargs(congress, regtype))
    url = reverse(
        "registrations:order_pdf",
        kwargs={"congress_slug": congress.slug, "code": order.code, "secret": order.secret},
    )
    assert client.get(url).status_code == 404
    mark_order_paid(order=order)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_waiting_list_form_on_a_sold_out_type(client, congress):
    rtype = RegistrationTypeFactory(congress=congress, capacity=0, code="full")
    start = client.get(reverse("registrations:start", kwargs={"congress_slug": congress.slug}))
    assert b"Join the waiting list" in start.content
    url = reverse("registrations:waiting_list", kwargs={"congress_slug": congress.slug})
    bad = client.post(url, {"registration_type": "full", "name": "", "email": "x"})
    assert bad.status_code == 400
    ok = client.post(
        url, {"registration_type": "full", "name": "Wen", "email": "w@x.example", "language": "en"}
    )
    assert ok.status_code == 302
    assert rtype.waiting_list.count() == 1


def test_offer_link_reaches_the_details_form_for_one_delegate(client, congress):
    from registrations.services.orders import cancel_order
    from registrations.services.waiting_list import join_waiting_list

    rtype = RegistrationTypeFactory(congress=congress, capacity=1, code="one")
    order = place_order(**order_kwargs(congress, rtype))
    entry = join_waiting_list(
        congress=congress, registration_type=rtype, name="Wen", email="w@x.example", language="en"
    )
    cancel_order(order=order)
    entry.refresh_from_db()
    start = reverse("registrations:start", kwargs={"congress_slug": congress.slug})
    response = client.get(start, {"offer": entry.token}, follow=True)
    assert b"reserved for you" in response.content
    assert b'value="w@x.example"' in response.content  # the contact is filled in
    data = form_data(rtype, 1, offer=entry.token)
    assert client.post(details_url(congress), data).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "redeemed"
    expired = client.get(start, {"offer": "bogus"}, follow=True)
    assert b"expired or was already used" in expired.content


def test_a_draft_congress_has_no_registration_pages(client, congress, regtype):
    congress.status = "draft"
    congress.save()
    start = reverse("registrations:start", kwargs={"congress_slug": congress.slug})
    assert client.get(start).status_code == 404
    assert client.get(details_url(congress)).status_code == 404


def test_a_closed_registration_says_so_and_takes_no_orders(client, congress, regtype):
    congress.status = "published"
    congress.save()
    start = reverse("registrations:start", kwargs={"congress_slug": congress.slug})
    assert b"Registration for this congress is closed." in client.get(start).content
    response = client.post(details_url(congress), form_data(regtype, 1))
    assert response.status_code == 302
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("offered", "reading", "preselected"),
    [
        (["en", "fr", "ar"], "ar", ["ar"]),
        (["en", "fr", "ar"], "fr", ["fr"]),
        (["en", "fr"], "ar", []),
    ],
)
def test_the_e_mail_language_starts_on_the_language_the_form_is_read_in(
    client, congress, regtype, offered, reading, preselected
):
    """Whoever registers reading Arabic gets Arabic e-mails unless they choose otherwise; a
    language the congress does not offer is never preselected (the browser shows the first)."""
    congress.languages = offered
    congress.save(update_fields=["languages"])
    client.cookies["django_language"] = reading
    page = client.get(details_url(congress), {"registration_type": regtype.code, "delegates": 1})
    select = page.content.decode().split('id="id_language"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"( selected)?', select)
    assert [code for code, _selected in options] == offered
    assert [code for code, selected in options if selected] == preselected

"""Demo registrations: ~8 types with tiered prices, a member list, vouchers, questions, and
orders for every given person (single delegates and small delegations) in a realistic mix of
states. Idempotent (people already registered are skipped) and bulk-inserted with the
services' own pricing (tiers, vouchers) and within the types' capacities, so that 20,000 people
seed in seconds; the services would cost about 10 ms per order."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from events_site.congresses.models import Congress

from . import form_cache
from .enums import DelegateRole, OrganisationType, QuestionKind
from .lifecycle import OrderStatus
from .models import (
    Answer,
    Delegate,
    MemberOrganisation,
    Order,
    Question,
    RegistrationSettings,
    RegistrationType,
    Voucher,
    WaitingListEntry,
)
from .models.vouchers import normalise_organisation_name
from .services.orders import DELEGATE_FIELDS
from .services.pricing import congress_today, list_price

TYPES = [
    # code, name, regular, early bird, on site, extra fields
    ("member", "Member local government", "450", "380", "520", {"requires_membership": True}),
    ("non-member", "Non-member local government", "650", "560", "720", {}),
    ("business", "Business", "900", "800", "990", {}),
    ("ngo-academia", "NGO and academia", "350", "300", "400", {}),
    ("student", "Student", "120", None, "150", {"capacity": 150}),
    (
        "press",
        "Press",
        "0",
        None,
        None,
        {"requires_approval": True, "default_role": DelegateRole.PRESS, "capacity": 40},
    ),
    (
        "speaker",
        "Speaker",
        "0",
        None,
        None,
        {"complimentary": True, "default_role": DelegateRole.SPEAKER},
    ),
    (
        "staff",
        "Staff",
        "0",
        None,
        None,
        {"complimentary": True, "default_role": DelegateRole.STAFF},
    ),
]

# The types in the demo congress's other languages: every state of the organisers' indicator
# (complete, partly translated, untranslated). German is kept only where the site offers it.
TYPE_TRANSLATIONS = {
    "member": {
        "fr": {"name": "Collectivité locale membre"},
        "es": {"name": "Gobierno local miembro"},
        "pt": {"name": "Governo local membro"},
        "de": {"name": "Kommunalverwaltung (Mitglied)"},
        "ar": {"name": "حكومة محلية عضو"},
    },
    "non-member": {
        "fr": {"name": "Collectivité locale non membre"},
        "es": {"name": "Gobierno local no miembro"},
        "pt": {"name": "Governo local não membro"},
        "de": {"name": "Kommunalverwaltung (kein Mitglied)"},
        "ar": {"name": "حكومة محلية غير عضو"},
    },
    "business": {"fr": {"name": "Entreprise"}, "es": {"name": "Empresa"}},
    "ngo-academia": {"fr": {"name": "ONG et universités"}, "es": {"name": "ONG y academia"}},
    "student": {
        "fr": {"name": "Étudiant"},
        "es": {"name": "Estudiante"},
        "pt": {"name": "Estudante"},
        "de": {"name": "Studierende"},
        "ar": {"name": "طالب"},
    },
    "press": {"fr": {"name": "Presse"}, "es": {"name": "Prensa"}},
    "speaker": {"fr": {"name": "Intervenant"}},  # Spanish left missing: the indicator shows it
}
QUESTION_TRANSLATIONS = {
    "Will you attend the welcome reception?": {
        "fr": {"label": "Participerez-vous à la réception de bienvenue ?"},
        "es": {"label": "¿Asistirá a la recepción de bienvenida?"},
        "pt": {"label": "Vai participar na receção de boas-vindas?"},
        "de": {"label": "Nehmen Sie am Empfang teil?"},
        "ar": {"label": "هل ستحضر حفل الاستقبال؟"},
    },
    "Which topics interest you?": {
        "fr": {
            "label": "Quels thèmes vous intéressent ?",
            "choices": "Climat\nLogement\nFinances\nNumérique\nCulture",
        },
        "es": {
            "label": "¿Qué temas le interesan?",
            "choices": "Clima\nVivienda\nFinanzas\nDigital\nCultura",
        },
    },
}


def _offered(translations: dict, congress: Congress) -> dict:
    """Only the congress's own languages (German only where the site offers it)."""
    return {code: texts for code, texts in translations.items() if code in congress.languages}


QUESTIONS = [
    (
        "Which site visit would you like to join?",
        QuestionKind.CHOICE,
        "Smart-city operations centre\nRiverside regeneration\nPublic transport depot",
        False,
        None,
    ),
    ("Will you attend the welcome reception?", QuestionKind.YES_NO, "", True, None),
    (
        "Which topics interest you?",
        QuestionKind.MULTIPLE_CHOICE,
        "Climate\nHousing\nFinance\nDigital\nCulture",
        False,
        None,
    ),
    ("Media outlet", QuestionKind.TEXT, "", True, "press"),
]


def _type_for(person: dict, rng: random.Random, members: set[str]) -> str:
    org_type = person.get("organisation_type", "")
    roll = rng.random()
    if roll < 0.03:
        return "speaker"
    if roll < 0.04:
        return "staff"
    if org_type == OrganisationType.MEDIA:
        return "press"
    if org_type == OrganisationType.BUSINESS:
        return "business"
    if org_type in (OrganisationType.NGO, OrganisationType.ACADEMIA):
        return "student" if roll < 0.10 else "ngo-academia"
    if normalise_organisation_name(person.get("organisation_name", "")) in members:
        return "member"
    return "non-member"


@transaction.atomic
def _seed_setup(congress: Congress, people: list[dict], rng: random.Random) -> dict:
    RegistrationSettings.objects.get_or_create(
        congress=congress,
        defaults={
            "total_capacity": max(2500, int(len(people) * 1.25)),
            "cancellation_fee": Decimal("50.00"),
            "cancellation_deadline": congress.starts_at - dt.timedelta(days=30),
            "edit_deadline": congress.starts_at - dt.timedelta(days=3),
        },
    )
    types = {}
    for position, (code, name, regular, early, on_site, extra) in enumerate(TYPES):
        defaults = {
            "name": name,
            "position": position,
            "regular_price": Decimal(regular),
            "early_bird_price": Decimal(early) if early else None,
            "early_bird_until": congress.start_date - dt.timedelta(days=120) if early else None,
            "on_site_price": Decimal(on_site) if on_site else None,
            "translations": _offered(TYPE_TRANSLATIONS.get(code, {}), congress),
            **extra,
        }
        types[code], _created = RegistrationType.objects.get_or_create(
            congress=congress, code=code, defaults=defaults
        )
    names = sorted(
        {
            p["organisation_name"]
            for p in people
            if p.get("organisation_type") == OrganisationType.LOCAL_GOVERNMENT
            and p.get("organisation_name")
        }
    )
    listed = [name for name in names if rng.random() < 0.7]
    existing = set(
        MemberOrganisation.objects.filter(congress=congress).values_list(
            "normalised_name", flat=True
        )
    )
    fresh = {}
    for name in listed:
        key = normalise_organisation_name(name)
        if key and key not in existing:
            fresh[key] = MemberOrganisation(
                congress=congress, name=name, normalised_name=key, reference=f"M-{len(fresh):04d}"
            )
    MemberOrganisation.objects.bulk_create(fresh.values())
    vouchers = {}
    for code, kind, value, max_uses, type_codes, comment in [
        ("SPEAKER-2027", "percentage", "100", None, ["speaker"], "Invitation for speakers"),
        ("STAFF-2027", "percentage", "100", None, ["staff"], "Staff passes"),
        (
            "LOWINCOME",
            "percentage",
            "100",
            60,
            ["member", "non-member"],
            "Sponsored places for delegates from low-income countries",
        ),
        ("SISTERCITY", "percentage", "15", 200, [], "Sister-city partnership discount"),
        ("YOUTH", "set_price", "60", 40, ["student"], "Youth delegates"),
    ]:
        voucher, created = Voucher.objects.get_or_create(
            congress=congress,
            code=code,
            defaults={
                "kind": kind,
                "value": Decimal(value),
                "max_uses": max_uses,
                "comment": comment,
            },
        )
        if created:
            voucher.registration_types.set([types[c] for c in type_codes])
        vouchers[code] = voucher
    questions = []
    for position, (label, kind, choices, required, type_code) in enumerate(QUESTIONS):
        question, created = Question.objects.get_or_create(
            congress=congress,
            label=label,
            defaults={
                "kind": kind,
                "choices": choices,
                "required": required,
                "position": position,
                "translations": _offered(QUESTION_TRANSLATIONS.get(label, {}), congress),
            },
        )
        if created and type_code:
            question.registration_types.set([types[type_code]])
        questions.append(question)
    form_cache.invalidate()  # the types, questions and settings the form page shows
    return {"types": types, "vouchers": vouchers, "questions": questions}


def _delegations(people: list[dict], rng: random.Random) -> list[list[dict]]:
    groups, index = [], 0
    while index < len(people):
        size = 1 if rng.random() < 0.7 else rng.randint(2, 5)
        groups.append(people[index : index + size])
        index += size
    return groups


def _status(rng: random.Random, type_codes: set[str]) -> str:
    if "press" in type_codes and rng.random() < 0.5:
        return OrderStatus.AWAITING_APPROVAL
    roll = rng.random()
    if roll < 0.78:
        return OrderStatus.PAID
    if roll < 0.90:
        return OrderStatus.PENDING_PAYMENT
    if roll < 0.93:
        return OrderStatus.AWAITING_APPROVAL
    if roll < 0.98:
        return OrderStatus.CANCELLED
    return OrderStatus.EXPIRED


def _answers_for(questions, delegate_type: str, rng: random.Random) -> dict:
    site, reception, topics, outlet = questions
    answers = {reception.pk: rng.choice(["yes", "yes", "no"])}
    if rng.random() < 0.6:
        answers[site.pk] = rng.choice(site.choice_list)
    if rng.random() < 0.5:
        answers[topics.pk] = "\n".join(rng.sample(topics.choice_list, rng.randint(1, 3)))
    if delegate_type == "press":
        answers[outlet.pk] = rng.choice(["City Times", "Radio Metropol", "Urban Affairs Weekly"])
    return answers


def seed_demo(*, congress: Congress, people: list[dict], rng: random.Random) -> dict:
    """Seed registrations for ``people``; people already registered (by e-mail key) are kept."""
    setup = _seed_setup(congress, people, rng)
    types, vouchers, questions = setup["types"], setup["vouchers"], setup["questions"]
    members = set(
        MemberOrganisation.objects.filter(congress=congress).values_list(
            "normalised_name", flat=True
        )
    )
    known = set(
        Order.objects.filter(congress=congress, idempotency_key__startswith="demo:").values_list(
            "idempotency_key", flat=True
        )
    )
    now = timezone.now()
    today = congress_today(congress, now)
    press_left = types["press"].capacity or 0
    student_left = types["student"].capacity or 0
    orders, delegates_per_order, low_income_left = [], [], 50
    for group in _delegations(people, rng):
        key = f"demo:{congress.slug}:{group[0]['email']}"[:64]
        chosen = []
        for person in group:
            code = _type_for(person, rng, members)
            if code == "press":
                if press_left <= 0:
                    code = "non-member"
                press_left -= 1
            if code == "student":
                if student_left <= 0:
                    code = "ngo-academia"
                student_left -= 1
            chosen.append(code)
        if key in known:
            continue
        status = _status(rng, set(chosen))
        if status == OrderStatus.AWAITING_APPROVAL and not {"press", "member"} & set(chosen):
            status = OrderStatus.PAID
        rows = []
        for person, code in zip(group, chosen, strict=True):
            rtype = types[code]
            price, tier = list_price(rtype, today - dt.timedelta(days=rng.randint(0, 200)))
            voucher = None
            if code == "speaker":
                voucher = vouchers["SPEAKER-2027"]
            elif code == "staff":
                voucher = vouchers["STAFF-2027"]
            elif code in ("member", "non-member") and low_income_left and rng.random() < 0.03:
                voucher, low_income_left = vouchers["LOWINCOME"], low_income_left - 1
            if voucher is not None:
                price = voucher.apply(price)
            fields = {k: person[k] for k in DELEGATE_FIELDS if k in person}
            fields["language"] = fields.get("language") or "en"
            rows.append(
                (
                    Delegate(
                        registration_type=rtype,
                        role=rtype.default_role,
                        price=price,
                        price_tier=tier,
                        voucher=voucher,
                        dietary_needs=rng.choice(["", "", "", "vegetarian", "halal", "no nuts"]),
                        accessibility_needs=rng.choice([""] * 20 + ["wheelchair access"]),
                        needs_visa_letter=rng.random() < 0.15,
                        listed_publicly=rng.random() < 0.6,
                        is_cancelled=status == OrderStatus.CANCELLED,
                        **fields,
                    ),
                    code,
                )
            )
        total = sum((d.price for d, _code in rows), Decimal("0.00"))
        if total == 0 and status in (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED):
            status = OrderStatus.PAID
        created = now - dt.timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1440))
        contact = group[0]
        orders.append(
            Order(
                congress=congress,
                status=status,
                contact_name=f"{contact['given_name']} {contact['family_name']}",
                email=contact["email"],
                language=contact.get("language") or "en",
                total=total,
                currency=congress.currency,
                idempotency_key=key,
                hold_expires_at=now + dt.timedelta(days=14)
                if status == OrderStatus.PENDING_PAYMENT
                else None,
                needs_review=status == OrderStatus.AWAITING_APPROVAL,
                review_reason="Registration type needs approval."
                if status == OrderStatus.AWAITING_APPROVAL
                else "",
                paid_at=created + dt.timedelta(hours=2) if status == OrderStatus.PAID else None,
                cancelled_at=now if status == OrderStatus.CANCELLED else None,
                expired_at=now if status == OrderStatus.EXPIRED else None,
            )
        )
        delegates_per_order.append(rows)
    with transaction.atomic():
        Order.objects.bulk_create(orders, batch_size=1000)
        all_delegates = []
        for order, rows in zip(orders, delegates_per_order, strict=True):
            for delegate, _code in rows:
                delegate.order = order
                delegate.refresh_search_text()
                all_delegates.append(delegate)
        Delegate.objects.bulk_create(all_delegates, batch_size=1000)
        answers = []
        flat_codes = [code for rows in delegates_per_order for _d, code in rows]
        for delegate, code in zip(all_delegates, flat_codes, strict=True):
            for question_id, value in _answers_for(questions, code, rng).items():
                answers.append(Answer(delegate=delegate, question_id=question_id, value=value))
        Answer.objects.bulk_create(answers, batch_size=2000)
        # A few people wait for a press seat (the press quota is sold out in a full demo).
        waiting = 0
        if press_left < 0 and not WaitingListEntry.objects.filter(congress=congress).exists():
            for n, person in enumerate(people[-3:]):
                WaitingListEntry.objects.create(
                    congress=congress,
                    registration_type=types["press"],
                    name=f"{person['given_name']} {person['family_name']}",
                    email=f"waiting{n}.{person['email']}",
                    language=person.get("language") or "en",
                )
                waiting += 1
    counts = {
        status: Order.objects.filter(congress=congress, status=status).count()
        for status in OrderStatus.values
    }
    return {
        "registration_types": len(types),
        "new_orders": len(orders),
        "new_delegates": len(all_delegates),
        "orders_by_status": {k: v for k, v in counts.items() if v},
        "waiting_list": WaitingListEntry.objects.filter(congress=congress).count(),
        "member_organisations": len(members),
    }

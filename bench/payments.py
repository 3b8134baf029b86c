"""Stripe webhooks and invoice numbering, each figure beside its baseline from the same run.

    .venv/bin/python bench/payments.py [--quick] [--json]

Builds a throwaway SQLite database under bench/out/ and starts the localstripe emulator on a
free loopback port. Then, in the same run:

* webhook events handled per second through the whole Django request stack (signature check,
  event stored once, compare-and-set, order paid, invoice numbered), for intents really paid at
  the emulator, with duplicates mixed in (replayed event ids and new ids for the same intent),
  beside two baselines: signature verification alone (the stripe library's HMAC check), and
  the same requests refused at the signature (HTTP stack + check, no database writes);
  the run asserts zero double-confirmed orders;
* invoice issuing (counter row locked, number taken, snapshot written) beside bare inserts of
  the same invoice rows with numbers handed in.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SECRET = "whsec_bench"  # noqa: S105 - a throwaway test secret


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "payments-bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ["MEDIA_ROOT"] = str(OUT / "media")
    os.environ["TASKS_BACKEND"] = "database"  # e-mail and PDFs go to a worker, as in production
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["STRIPE_WEBHOOK_SECRET"] = SECRET
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DATABASES["default"]["TEST"]["MIGRATE"] = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _start_emulator() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scripts" / "run_localstripe.py"),
            "--port",
            str(port),
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/js.stripe.com/v3/", timeout=1).read()  # noqa: S310
            return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("localstripe did not start")


def _sign(body: str, timestamp: int) -> str:
    import hashlib
    import hmac

    digest = hmac.new(SECRET.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _world(orders: int):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from events_site.congresses.models import Congress, Organisation
    from registrations.models import Delegate, Order, RegistrationType

    org = Organisation.objects.create(name="Bench Association", slug="bench")
    congress = Congress.objects.create(
        organisation=org,
        name="Bench Congress",
        slug="bench-2027",
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 13),
        time_zone="Asia/Seoul",
        currency="EUR",
        status="registration_open",
    )
    rtype = RegistrationType.objects.create(
        congress=congress, code="member", name="Member", capacity=orders * 2
    )
    created = []
    for index in range(orders):
        order = Order.objects.create(
            congress=congress,
            contact_name=f"Buyer {index}",
            email=f"b{index}@city.example",
            total=Decimal("450.00"),
            currency="EUR",
            status="pending_payment",
            hold_expires_at=timezone.now() + dt.timedelta(hours=2),
        )
        Delegate.objects.create(
            order=order,
            registration_type=rtype,
            given_name="Ana",
            family_name=f"M{index}",
            email=f"d{index}@city.example",
            price=Decimal("450.00"),
        )
        created.append(order)
    return congress, created


def _pay_at_emulator(orders, base):
    from registrations.payments import stripe as stripe_edge
    from registrations.payments.services import payments as payment_services

    client = stripe_edge.get_client()
    intents = []
    for order in orders:
        payment = payment_services.start_card_payment(order=order)
        data = urllib.parse.urlencode(
            {
                "card[number]": "4242424242424242",
                "card[exp_month]": "12",
                "card[exp_year]": "2030",
                "card[cvc]": "123",
                "key": "pk_test_bench",
            }
        ).encode()
        with urllib.request.urlopen(base + "/v1/tokens", data=data, timeout=5) as response:  # noqa: S310
            card = json.load(response)["card"]["id"]
        client.v1.payment_intents.update(payment.provider_id, params={"payment_method": card})
        intents.append(client.v1.payment_intents.confirm(payment.provider_id).to_dict())
    return intents


def _events(intents, rng):
    events = []
    for number, intent in enumerate(intents):
        events.append(
            {
                "id": f"evt_bench_{number}",
                "type": "payment_intent.succeeded",
                "object": "event",
                "created": int(time.time()),
                "data": {"object": intent},
            }
        )
    duplicates = []
    for event in rng.sample(events, k=len(events) * 3 // 10):
        duplicates.append(event)  # replayed delivery: same event id
    for number, intent in enumerate(rng.sample(intents, k=len(intents) * 2 // 10)):
        duplicates.append(
            {
                "id": f"evt_bench_again_{number}",
                "type": "payment_intent.succeeded",
                "object": "event",
                "created": int(time.time()),
                "data": {"object": intent},
            }
        )  # new id, same payment
    stream = events + duplicates
    rng.shuffle(stream)
    return [json.dumps(event) for event in stream]


def measure(quick: bool = False) -> list[dict]:
    _setup_django()

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from events_site.congresses.models import AuditEntry
    from registrations.models import Invoice, Order
    from registrations.payments import stripe as stripe_edge
    from registrations.payments.services import invoicing as invoice_services

    rng = random.Random(2027)
    orders_n = 60 if quick else 400
    emulator, base = _start_emulator()
    try:
        settings.STRIPE_SECRET_KEY = "sk_test_bench"  # noqa: S105
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_bench"
        settings.STRIPE_API_BASE = base
        congress, orders = _world(orders_n)
        started = time.perf_counter()
        intents = _pay_at_emulator(orders, base)
        pay_seconds = time.perf_counter() - started
    finally:
        emulator.terminate()
        emulator.wait(timeout=5)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the webhook path must not call Stripe
    bodies = _events(intents, rng)
    now = int(time.time())
    headers = [_sign(body, now) for body in bodies]

    # Baseline 1: the stripe library's signature check alone.
    started = time.perf_counter()
    for body, header in zip(bodies, headers, strict=True):
        stripe_edge.verify_webhook(body.encode(), header)
    verify_seconds = time.perf_counter() - started

    import logging

    client = Client()
    logging.disable(logging.WARNING)  # refused requests log a warning each; not what we measure
    # Baseline 2: the same requests through Django, refused at the signature (no writes).
    started = time.perf_counter()
    for body in bodies:
        response = client.post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=f"t={now},v1={'0' * 64}",
        )
        assert response.status_code == 400
    refused_seconds = time.perf_counter() - started
    logging.disable(logging.NOTSET)

    # The real thing.
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for body, header in zip(bodies, headers, strict=True):
        response = client.post(
            "/payments/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        assert response.status_code == 200, response.content
        outcome = response.json()["outcome"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    webhook_seconds = time.perf_counter() - started

    paid = Order.objects.filter(congress=congress, status="paid").count()
    double = (
        AuditEntry.objects.filter(action="convene.order.paid")
        .values("target_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    invoices = Invoice.objects.filter(congress=congress).count()
    assert double == 0 and paid == orders_n and invoices == orders_n, (double, paid, invoices)

    # Invoice numbering: issue (locked counter) vs bare inserts of the same rows.
    from decimal import Decimal

    from django.utils import timezone

    more = 100 if quick else 500
    _c2, fresh = _world_second(more)
    started = time.perf_counter()
    for order in fresh:
        invoice_services.issue_invoice(order=order, send=False)
    issue_seconds = time.perf_counter() - started
    numbers = list(
        Invoice.objects.filter(congress=_c2).order_by("number").values_list("number", flat=True)
    )
    assert numbers == list(range(1, more + 1))
    template = Invoice.objects.filter(congress=_c2).first()
    started = time.perf_counter()
    for offset, order in enumerate(fresh):
        Invoice.objects.create(
            congress=_c2,
            order=order,
            kind="invoice",
            number=10_000 + offset,
            full_number=f"BARE-{offset}",
            issued_at=timezone.now(),
            currency="EUR",
            net=Decimal("371.90"),
            tax=Decimal("78.10"),
            gross=Decimal("450.00"),
            tax_rate=Decimal("21"),
            tax_label="VAT",
            lines=template.lines,
            seller=template.seller,
            buyer=template.buyer,
        )
    bare_seconds = time.perf_counter() - started

    events = len(bodies)
    return [
        {
            "what": "card payments at the emulator (create+confirm)",
            "orders": orders_n,
            "per_s": round(orders_n / pay_seconds, 1),
        },
        {
            "what": "webhook events handled (whole request, duplicates included)",
            "events": events,
            "duplicates": events - orders_n,
            "per_s": round(events / webhook_seconds, 1),
            "baseline": "signature verification alone",
            "baseline_per_s": round(events / verify_seconds, 1),
            "baseline2": "same requests refused at the signature (HTTP stack, no writes)",
            "baseline2_per_s": round(events / refused_seconds, 1),
            "outcomes": ",".join(f"{k}:{v}" for k, v in sorted(outcomes.items())),
            "double_confirmed": double,
        },
        {
            "what": "invoices issued (locked counter, gap-free)",
            "invoices": more,
            "per_s": round(more / issue_seconds, 1),
            "baseline": "bare inserts of the same invoice rows",
            "baseline_per_s": round(more / bare_seconds, 1),
            "ratio": round(issue_seconds / bare_seconds, 2),
        },
    ]


def _world_second(count):
    import datetime as dt
    from decimal import Decimal

    from events_site.congresses.models import Congress, Organisation
    from registrations.models import Delegate, Order, RegistrationType

    org = Organisation.objects.get(slug="bench")
    congress = Congress.objects.create(
        organisation=org,
        name="Invoices",
        slug="bench-invoices",
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 13),
        time_zone="Europe/Lisbon",
        currency="EUR",
    )
    rtype = RegistrationType.objects.create(congress=congress, code="m", name="Member")
    orders = []
    for index in range(count):
        order = Order.objects.create(
            congress=congress,
            contact_name=f"Buyer {index}",
            email=f"i{index}@city.example",
            total=Decimal("450.00"),
            currency="EUR",
            status="pending_payment",
        )
        Delegate.objects.create(
            order=order,
            registration_type=rtype,
            given_name="Ana",
            family_name=f"N{index}",
            email=f"e{index}@city.example",
            price=Decimal("450.00"),
        )
        orders.append(order)
    return congress, orders


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (its own Django setup and database) and return its rows."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    rows = measure(quick="--quick" in sys.argv)
    if "--json" in sys.argv:
        print(json.dumps(rows))
    else:
        for row in rows:
            print("  ".join(f"{key}={value}" for key, value in row.items()))

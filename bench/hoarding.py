"""Seat hoarding: the review's attack replayed through the real registration views.

    .venv/bin/python bench/hoarding.py [--quick]

A congress has its last 10 seats left. A script posts 200 orders through the registration
page (Django's test client, the whole middleware stack: CSRF, rate limits, the form, the
capacity lock); then 20 real buyers, each from an address of their own, try to register one
seat. Every attack runs beside its baseline on fresh congresses of the same run:

* 200 single-delegate orders, a fresh e-mail address each time, from 4 client addresses: caps
  off (the baseline, the review's finding), the default caps, caps an organiser sets for the
  opening day (1 order per e-mail address, 2 per client address, 2 seats among the last), and
  the defaults with an organiser who opens the page of suspicious holds after the attack and
  releases every address with 2 or more open orders before the buyers come;
* a naive script from one address with one e-mail address, caps off and with the defaults;
* fresh e-mail addresses from one client address: caps off, the caps on orders alone (what
  the order caps let through: 10 orders of one seat take the 10 last seats), the defaults;
* one big delegation (10 delegates) posted again and again under fresh e-mail addresses from
  one client address: caps off, the caps on orders alone, the defaults.

The defaults: 3 unpaid orders and 20 unpaid seats per e-mail address, 10 orders and 60 seats
per client address, and among the last 10 seats at most 4 unpaid per client address. The rate
limit on order placement (60 an hour per address) applies in every row.
Each row prints how many of the last seats the attacker held, how many of the attacker's posts
were refused by a cap (or by the rate limit), and how many real buyers got a seat.
``main()`` runs in a fresh interpreter on a throwaway SQLite database under ``bench/out/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LAST_SEATS = 10
ATTACKER_ADDRESSES = 4


def _setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "hoarding-bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "events_site.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["TASKS_BACKEND"] = "immediate"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)


def _form(rtype, *, n: int, email: str, token: str, delegates: int = 1) -> dict:
    data = {
        "contact_name": f"Person {n}",
        "email": email,
        "language": "en",
        "voucher": "",
        "token": token,
        "delegates-TOTAL_FORMS": str(delegates),
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "20",
        "step": "confirm",  # a bot posts the summary's confirmation directly
        "consent": "yes",
    }
    for d in range(delegates):
        data.update(
            {
                f"delegates-{d}-registration_type": str(rtype.pk),
                f"delegates-{d}-given_name": f"Given{n}",
                f"delegates-{d}-family_name": f"Family{n}-{d}",
                f"delegates-{d}-email": email,
                f"delegates-{d}-country": "PT",
                f"delegates-{d}-language": "en",
            }
        )
    return data


# The caps as an organiser sets them on the page of suspicious holds.
CAPS_OFF = {
    "max_unpaid_orders_per_email": None,
    "max_unpaid_orders_per_address": None,
    "max_unpaid_seats_per_email": None,
    "max_unpaid_seats_per_address": None,
    "last_seats_threshold": None,
}
ORDER_CAPS_ONLY = {
    **CAPS_OFF,
    "max_unpaid_orders_per_email": 3,
    "max_unpaid_orders_per_address": 10,
}
DEFAULT_CAPS: dict = {}  # the model's defaults
OPENING_DAY_CAPS = {
    "max_unpaid_orders_per_email": 1,
    "max_unpaid_orders_per_address": 2,
    "last_seats_per_address": 2,
}


def _congress(slug: str, caps: dict):
    """A congress whose one type has ``LAST_SEATS`` seats left (the rest sold and paid)."""
    from decimal import Decimal

    from registrations.lifecycle import OrderStatus
    from registrations.models import RegistrationType
    from registrations.services.setup import update_registration_settings
    from tests.factories import CongressFactory, DelegateFactory, OrderFactory

    congress = CongressFactory(slug=slug)
    rtype = RegistrationType.objects.create(
        congress=congress,
        code="member",
        name="Member",
        regular_price=Decimal("450.00"),
        capacity=40 + LAST_SEATS,
    )
    for _n in range(40):
        order = OrderFactory(congress=congress, status=OrderStatus.PAID)
        DelegateFactory(order=order, registration_type=rtype)
    update_registration_settings(congress=congress, **caps)
    return congress, rtype


def _release_largest_groups(congress, *, min_orders: int) -> int:
    """What an organiser does on the page of suspicious holds: release every client address
    with at least ``min_orders`` open unpaid orders, through the page's confirm POST."""
    from django.test import Client

    from registrations.hold_review import hold_groups
    from tests.factories import TeamMembershipFactory, UserFactory

    organiser = UserFactory()
    TeamMembershipFactory(congress=congress, user=organiser, role="registration")
    client = Client()
    client.force_login(organiser)
    page = client.get(f"/{congress.slug}/manage/registrations/holds/", {"min": min_orders})
    assert page.status_code == 200, page.status_code
    released = 0
    for group in list(hold_groups(congress=congress, by="address", min_orders=min_orders)):
        response = client.post(
            f"/{congress.slug}/manage/registrations/holds/release/",
            {"by": "address", "key": group["hold_address"]},
        )
        assert response.status_code == 302, response.status_code
        released += group["orders"]
    return released


def scenario(
    label: str,
    slug: str,
    caps,
    *,
    posts: int,
    buyers: int,
    organiser_releases: bool = False,
    addresses: int = ATTACKER_ADDRESSES,
    one_email: bool = False,
    delegates: int = 1,
):
    from django.core.cache import cache
    from django.test import Client

    from registrations.models import Delegate, Order

    cache.clear()  # each scenario starts with fresh rate-limit counters
    congress, rtype = _congress(slug, caps)
    url = f"/{congress.slug}/register/details/"
    client = Client()
    outcomes = {"placed": 0, "cap": 0, "sold_out": 0, "rate_limited": 0, "other": 0}
    started = time.perf_counter()
    for n in range(posts):
        address = f"203.0.113.{1 + n % addresses}"
        email = "bot@hoard.example" if one_email else f"bot{n}@hoard{n % 7}.example"
        data = _form(rtype, n=n, email=email, token=f"{slug}-bot-{n}", delegates=delegates)
        response = client.post(url, data, REMOTE_ADDR=address)
        if response.status_code == 302:
            outcomes["placed"] += 1
        elif response.status_code == 429:
            outcomes["rate_limited"] += 1
        elif b"unpaid order" in response.content.lower():
            outcomes["cap"] += 1
        elif b"seat(s) left" in response.content or b"full" in response.content:
            outcomes["sold_out"] += 1
        else:
            outcomes["other"] += 1
    attack_seconds = time.perf_counter() - started
    live = Delegate.objects.filter(
        registration_type=rtype, is_cancelled=False, order__status="pending_payment"
    )
    held_by_attacker = live.filter(order__email__startswith="bot").count()
    released = _release_largest_groups(congress, min_orders=2) if organiser_releases else 0
    seated = 0
    for n in range(buyers):
        email = f"buyer{n}@city{n}.example"
        response = client.post(
            url,
            _form(rtype, n=1000 + n, email=email, token=f"{slug}-buyer-{n}"),
            REMOTE_ADDR=f"198.51.100.{1 + n}",
        )
        seated += response.status_code == 302
    bot_orders = Order.objects.filter(congress=congress, email__startswith="bot")
    return {
        "figure": label,
        "attacker_posts": posts,
        "attacker_addresses": addresses,
        "delegates_per_post": delegates,
        "attacker_placed": outcomes["placed"],
        "refused_by_cap": outcomes["cap"],
        "rate_limited": outcomes["rate_limited"],
        "sold_out": outcomes["sold_out"],
        "last_seats": LAST_SEATS,
        "attacker_held": held_by_attacker,
        "released_by_organiser": released,
        "attacker_holds_at_end": bot_orders.filter(status="pending_payment").count(),
        "real_buyers": buyers,
        "real_buyers_seated": seated,
        "attack_posts_per_s": posts / attack_seconds,
    }


def run(quick: bool) -> list[dict]:
    _setup_django()
    posts, buyers = (60, 10) if quick else (200, 20)
    size = {"posts": posts, "buyers": buyers}
    one_address = {**size, "addresses": 1}
    big = {**one_address, "delegates": LAST_SEATS}
    return [
        scenario("caps off (baseline)", "hoard-off", CAPS_OFF, **size),
        scenario("default caps", "hoard-def", DEFAULT_CAPS, **size),
        scenario("opening-day caps 1/e-mail 2/address 2 last seats", "hoard-strict",
                 OPENING_DAY_CAPS, **size),
        scenario("default caps + organiser releases groups of 2+", "hoard-release",
                 DEFAULT_CAPS, organiser_releases=True, **size),
        scenario("caps off, naive script (1 address, 1 e-mail)", "hoard-naive-off", CAPS_OFF,
                 one_email=True, **one_address),
        scenario("default caps, naive script (1 address, 1 e-mail)", "hoard-naive",
                 DEFAULT_CAPS, one_email=True, **one_address),
        scenario("caps off, fresh e-mails from 1 address (baseline)", "hoard-fresh-off",
                 CAPS_OFF, **one_address),
        scenario("order caps only, fresh e-mails from 1 address", "hoard-fresh-orders",
                 ORDER_CAPS_ONLY, **one_address),
        scenario("default caps, fresh e-mails from 1 address", "hoard-fresh", DEFAULT_CAPS,
                 **one_address),
        scenario("caps off, one 10-delegate order repeated (baseline)", "hoard-big-off",
                 CAPS_OFF, **big),
        scenario("order caps only, one 10-delegate order repeated", "hoard-big-orders",
                 ORDER_CAPS_ONLY, **big),
        scenario("default caps, one 10-delegate order repeated", "hoard-big", DEFAULT_CAPS,
                 **big),
    ]  # fmt: skip


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (own database and settings) and return the figures."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    figures = run(quick)
    if "--json" in sys.argv:
        print(json.dumps(figures))
    else:
        for row in figures:
            print(
                "  "
                + "  ".join(
                    f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
                )
            )

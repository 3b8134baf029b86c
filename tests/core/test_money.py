"""The one money formatter: Babel's currency formatting in the reader's locale, with each
currency's own number of decimals (JPY none, EUR two, KWD three)."""

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from django.template import Context, Template
from django.utils import translation

from events_site.congresses.money import babel_locale, format_money
from registrations.payments import stripe as stripe_edge

NNBSP = "\u202f"  # narrow no-break space: French groups thousands with it
NBSP = "\xa0"  # no-break space between number and symbol


@pytest.fixture(autouse=True)
def _restore_language():
    previous = translation.get_language()
    yield
    translation.activate(previous or "en")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "€1,320.00"),
        ("fr", f"1{NNBSP}320,00{NBSP}€"),
        ("es", f"1.320,00{NBSP}€"),
        ("pt", f"€{NBSP}1.320,00"),
        ("ru", f"1{NBSP}320,00{NBSP}€"),
    ],
)
def test_euros_are_written_the_way_each_language_reads_them(language, expected):
    assert format_money(Decimal("1320.00"), "EUR", locale=language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€1,320.00"), ("fr", f"1{NNBSP}320,00{NBSP}€"), ("es", f"1.320,00{NBSP}€")],
)
def test_the_active_language_is_the_default_locale(language, expected):
    with translation.override(language):
        assert format_money(Decimal("1320.00"), "EUR") == expected


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("1320.00", "JPY", "en", "¥1,320"),
        ("1320", "JPY", "fr", f"1{NNBSP}320{NBSP}JPY"),
        ("5000.00", "KRW", "en", "₩5,000"),
        ("12.50", "KWD", "en", "KWD12.500"),
        ("12.50", "BHD", "fr", f"12,500{NBSP}BHD"),
        ("0.00", "EUR", "en", "€0.00"),
        ("-1350.00", "EUR", "en", "-€1,350.00"),
        ("-1350.00", "EUR", "fr", f"-1{NNBSP}350,00{NBSP}€"),
    ],
)
def test_each_currency_gets_its_own_decimals(amount, currency, language, expected):
    assert format_money(Decimal(amount), currency, locale=language) == expected


def test_a_fraction_a_currency_does_not_have_is_shown_not_rounded_away():
    """JPY 10.50 cannot be charged, but if it is ever stored, the page must not say ¥10."""
    assert format_money(Decimal("10.50"), "JPY", locale="en") == "¥10.5"


@pytest.mark.parametrize(
    ("language", "locale_id"),
    [("en", "en"), ("fr", "fr"), ("es", "es"), ("zh-hans", "zh_Hans"), ("pt-br", "pt_BR")],
)
def test_django_language_codes_map_to_babel_locales(language, locale_id):
    assert str(babel_locale(language)) == locale_id


@pytest.mark.parametrize("nonsense", ["", "xx-nowhere", "\x00", "<b>", "e" * 10_000])
def test_an_unknown_language_falls_back_to_the_site_language(nonsense, settings):
    settings.LANGUAGE_CODE = "en"
    assert format_money(Decimal("5"), "EUR", locale=nonsense) == "€5.00"


def test_a_float_is_read_as_written_not_as_its_binary_expansion():
    assert format_money(0.1, "EUR", locale="en") == "€0.10"


def test_lowercase_currency_codes_are_accepted():
    assert format_money(Decimal("5"), "eur", locale="en") == "€5.00"


def test_the_template_filter_formats_in_the_active_language():
    template = Template("{% load money %}{{ amount|money:currency }}|{{ missing|money:currency }}")
    context = Context({"amount": Decimal("1320.00"), "currency": "EUR"})
    with translation.override("fr"):
        assert template.render(context) == f"1{NNBSP}320,00{NBSP}€|"
    with translation.override("en"):
        assert template.render(Context({"amount": "1320", "currency": "JPY"})) == "¥1,320|"


def test_the_template_filter_escapes_nothing_it_did_not_make():
    """A currency is a code from a validated field; a forged one must still come out escaped."""
    template = Template("{% load money %}{{ amount|money:currency }}")
    html = template.render(Context({"amount": Decimal("1"), "currency": "<b>"}))
    assert "<b>" not in html


@pytest.mark.parametrize(
    "currency",
    sorted(
        stripe_edge.ZERO_DECIMAL_CURRENCIES
        | stripe_edge.THREE_DECIMAL_CURRENCIES
        | {"EUR", "USD", "GBP", "CHF", "BRL", "MXN", "ZAR"}
    ),
)
def test_what_stripe_charges_has_the_decimals_people_are_shown(currency):
    """The Stripe edge's one exponent function and Babel agree: the amount on the page is
    exactly the amount charged (a whole number of the currency's smallest displayed unit)."""
    assert stripe_edge.minor_unit_exponent(currency) == get_currency_precision(currency)


def test_whole_unit_currencies_are_shown_without_decimals():
    """ISK travels to Stripe with two (zero) decimals but is charged in whole units only."""
    for currency in stripe_edge.WHOLE_UNITS_TWO_DECIMAL:
        assert get_currency_precision(currency) == 0
        assert format_money(Decimal("1500.00"), currency, locale="en").endswith("1,500")


@pytest.mark.parametrize(
    "amount",
    [
        "<script>alert(1)</script>",
        "12,50",
        "\x00",
        "1e999999999",
        "NaN",
        "-Infinity",
        "x" * 10_000,
        [],
        {},
    ],
)
def test_the_template_filter_shows_nothing_for_what_is_not_an_amount(amount):
    template = Template("{% load money %}[{{ amount|money:currency }}]")
    assert template.render(Context({"amount": amount, "currency": "EUR"})) == "[]"


def test_the_template_filter_shows_nothing_without_a_currency():
    template = Template("{% load money %}[{{ amount|money:currency }}]")
    assert template.render(Context({"amount": Decimal("5"), "currency": None})) == "[]"

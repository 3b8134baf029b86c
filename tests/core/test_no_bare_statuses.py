"""No bare status strings: statuses are compared and filtered through their TextChoices (or the
lifecycle's named sets), in Python and in templates, so a renamed or added status is one edit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from badges.enums import PrintJobStatus
from events_site.congresses.enums import CongressStatus
from registrations.enums import WaitingListStatus
from registrations.lifecycle import OrderStatus
from registrations.payments.enums import (
    PaymentState,
    RefundState,
    StripeIntentStatus,
    StripeRefundStatus,
)
from sessions.enums import SessionStatus, SignupStatus

ROOT = Path(__file__).resolve().parents[2]
APPS = ("registrations", "sessions", "badges", "events_site")
STATUS_VALUES = {
    str(value)
    for enum in (
        OrderStatus,
        WaitingListStatus,
        SessionStatus,
        SignupStatus,
        PrintJobStatus,
        CongressStatus,
        PaymentState,
        RefundState,
        StripeIntentStatus,
        StripeRefundStatus,
    )
    for value in enum
}
# Where the values are defined.
DEFINITIONS = {"enums.py", "payment_enums.py", "lifecycle.py"}
STATUS_NAME = re.compile(r"(^|_)(status|state|statuses|states)(__in)?$")


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path.name not in DEFINITIONS:
                yield path


def _bare_values(node: ast.AST) -> list[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in STATUS_VALUES
    ]


def _is_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return bool(STATUS_NAME.search(node.attr))
    if isinstance(node, ast.Name):
        return bool(STATUS_NAME.search(node.id))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        first = node.args[0]  # intent.get("status")
        return isinstance(first, ast.Constant) and STATUS_NAME.search(str(first.value)) is not None
    return False


def test_no_python_code_compares_or_filters_a_status_with_a_bare_string():
    offences = []
    for path in _python_files():
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg and STATUS_NAME.search(node.arg):
                offences += [
                    f"{where}:{node.value.lineno} {node.arg}={v!r}"
                    for v in _bare_values(node.value)
                ]
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_status(side) for side in sides):
                    offences += [f"{where}:{node.lineno} == {v!r}" for v in _bare_values(node)]
    assert offences == []


TEMPLATE_COMPARISON = re.compile(r"""\b(status|state)\s*(==|!=|in)\s*["']""")


def test_no_template_compares_a_status_with_a_bare_string():
    offences = []
    for base in (*APPS, "templates"):
        for path in sorted((ROOT / base).rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for match in TEMPLATE_COMPARISON.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(ROOT)}:{line} {match.group(0)}")
    assert offences == []

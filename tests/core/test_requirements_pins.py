"""requirements.txt pins what runs: every pin is the version installed, and everything pyhanko
pulls in at run time is pinned too, so a fresh install signs PDFs with the libraries tested."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[_key(requirement.name)] = spec.version
    return pins


def _runtime_closure(name: str) -> set[str]:
    seen: set[str] = set()
    todo = [name]
    while todo:
        key = _key(todo.pop())
        if key in seen:
            continue
        seen.add(key)
        for line in distribution(key).requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name)
    return seen


def test_every_pin_is_the_installed_version():
    wrong = {}
    for name, version in _pins().items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong


def test_everything_pyhanko_needs_at_run_time_is_pinned():
    missing = _runtime_closure("pyhanko") - set(_pins())
    assert not missing, sorted(missing)

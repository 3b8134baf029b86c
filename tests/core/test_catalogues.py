"""The language menu offers only languages whose catalogue is complete: a shipped catalogue with
an untranslated or fuzzy entry fails here (msgfmt counts them, as compilemessages compiles them)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import CongressFactory

LOCALE = Path(settings.BASE_DIR) / "locale"


def _statistics(code):
    po = LOCALE / code / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"{code} is offered in the language menu but has no catalogue at {po}"
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("code", [c for c in settings.INTERFACE_LANGUAGES if c != "en"])
def test_each_offered_catalogue_is_complete(code):
    figures = _statistics(code)
    assert "fuzzy" not in figures and "untranslated" not in figures, (
        f"the {code} catalogue is not complete ({figures.strip()}): translate every entry "
        f"or take {code} out of INTERFACE_LANGUAGES"
    )
    assert int(re.match(r"(\d+) translated", figures).group(1)) > 1000


def test_every_offered_language_is_a_site_language():
    known = {code for code, _name in settings.LANGUAGES}
    assert settings.INTERFACE_LANGUAGES[0] == "en"
    assert set(settings.INTERFACE_LANGUAGES) <= known


@pytest.mark.django_db
def test_the_menu_names_each_offered_language_in_itself_and_nothing_else():
    congress = CongressFactory()
    page = Client().get(congress.get_absolute_url()).content.decode()
    menu = page.split('id="language-select"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', menu)
    assert [code for code, _name in offered] == settings.INTERFACE_LANGUAGES
    assert dict(offered)["fr"] == "Français" and dict(offered)["es"] == "Español"
    assert dict(offered)["pt"] == "Português"
    assert dict(offered)["ar"] == "العربية"
    # Each name is marked with its language, so a screen reader says it in that language.
    assert re.findall(r'<option value="([^"]+)" lang="([^"]+)"', menu) == [
        (code, code) for code in settings.INTERFACE_LANGUAGES
    ]
    assert dict(offered)["de"] == "Deutsch"

"""Convene speaks French, Spanish, Portuguese and German: complete catalogues, compiled, and
actually used.

The catalogues live in ``locale/<lang>/LC_MESSAGES/django.po`` (settings.LOCALE_PATHS). After
changing strings, run::

    .venv/bin/python manage.py makemessages -l fr -l es -l pt -l de --ignore='.venv/*' \
        --ignore='tests/*' --ignore='bench/*' --ignore='staticfiles/*' --ignore='media/*' \
        --no-obsolete
    # translate the new entries, then
    .venv/bin/python manage.py compilemessages --ignore='.venv/*'
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from registrations.enums import OrderStatus
from registrations.models import Order

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
# The association's working languages besides English: these must be complete.
REQUIRED_LANGUAGES = ("fr", "es", "pt", "de")
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
COMPILE_HINT = "run: .venv/bin/python manage.py compilemessages --ignore='.venv/*'"


@pytest.fixture(autouse=True)
def _restore_language():
    """LocaleMiddleware activates the request's language for the whole thread and never resets it:
    without this, a French request here would leave later tests in this worker speaking French."""
    previous = translation.get_language()
    yield
    translation.activate(previous or settings.LANGUAGE_CODE)


def _po_id(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def test_the_working_languages_have_catalogues():
    languages = {path.parts[-3] for path in PO_FILES}
    for code in REQUIRED_LANGUAGES:
        assert code in languages, f"no catalogue for {code!r} under {LOCALE_DIR}"
        assert code in dict(settings.LANGUAGES)


@pytest.mark.parametrize("po_file", PO_FILES, ids=_po_id)
def test_catalogue_is_complete_and_valid(po_file):
    """msgfmt --check also rejects translations whose placeholders differ from the msgid."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt not found: install gettext"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(po_file)],
        capture_output=True,
        text=True,
        # msgfmt translates its own report; read it in English.
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": "C"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip().splitlines()[-1]
    match = re.fullmatch(r"(\d+) translated messages?\.", statistics)
    assert match, f"{_po_id(po_file)} is not fully translated: {statistics}"
    assert int(match.group(1)) > 0


@pytest.mark.parametrize("po_file", PO_FILES, ids=_po_id)
def test_catalogue_is_compiled(po_file):
    assert po_file.with_suffix(".mo").is_file(), (
        f"{_po_id(po_file)} is not compiled: {COMPILE_HINT}"
    )


def test_public_congress_page_in_french(client, congress):
    response = client.get(f"/{congress.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Aller au contenu" in html, COMPILE_HINT
    assert "Les horaires sont indiqués selon le fuseau horaire Asia/Seoul." in html
    assert "S’inscrire" in html
    assert "Skip to content" not in html


def test_public_congress_page_in_spanish(client, congress):
    response = client.get(f"/{congress.slug}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Ir al contenido" in html, COMPILE_HINT
    assert "Los horarios se indican según la zona horaria Asia/Seoul." in html
    assert "Inscribirse" in html


def test_public_congress_page_in_portuguese(client, congress):
    response = client.get(f"/{congress.slug}/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="pt"' in html
    assert "Ir para o conteúdo" in html, COMPILE_HINT
    assert "Os horários são mostrados em Asia/Seoul." in html
    assert "Inscrever-se" in html
    assert "Skip to content" not in html


def test_public_congress_page_in_german(client, congress):
    response = client.get(f"/{congress.slug}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "Zum Inhalt springen" in html, COMPILE_HINT
    assert "Die Zeiten werden in der Zeitzone Asia/Seoul angezeigt." in html
    assert "Anmelden" in html
    assert "Skip to content" not in html and "Powered by Convene" not in html


def test_unsupported_language_falls_back_to_english(client, congress):
    response = client.get(f"/{congress.slug}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert "Skip to content" in response.content.decode()


def test_model_names_and_enum_labels_in_spanish():
    with translation.override("es"):
        assert str(Order._meta.verbose_name) == "inscripción", COMPILE_HINT
        assert str(Order._meta.verbose_name_plural) == "inscripciones"
        assert str(OrderStatus.CANCELLED.label) == "Cancelada"
        assert str(OrderStatus.AWAITING_APPROVAL.label) == "Pendiente de aprobación"
    with translation.override("en"):
        assert str(OrderStatus.CANCELLED.label) == "Cancelled"


def test_model_names_and_enum_labels_in_german():
    with translation.override("de"):
        assert str(Order._meta.verbose_name) == "Bestellung", COMPILE_HINT
        assert str(Order._meta.verbose_name_plural) == "Bestellungen"
        assert str(OrderStatus.PENDING_PAYMENT.label) == "Zahlung ausstehend"
        assert str(OrderStatus.AWAITING_APPROVAL.label) == "Wartet auf Genehmigung"


def test_model_names_and_enum_labels_in_french():
    with translation.override("fr"):
        assert str(Order._meta.verbose_name) == "inscription", COMPILE_HINT
        assert str(OrderStatus.PENDING_PAYMENT.label) == "En attente de paiement"


def test_model_names_and_enum_labels_in_portuguese():
    with translation.override("pt"):
        assert str(Order._meta.verbose_name) == "pedido", COMPILE_HINT
        assert str(Order._meta.verbose_name_plural) == "pedidos"
        assert str(OrderStatus.PENDING_PAYMENT.label) == "Pagamento pendente"
        assert str(OrderStatus.AWAITING_APPROVAL.label) == "Aguardando aprovação"


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("pt", 1, "1 delegado"),
        ("pt", 2, "2 delegados"),
        # Portuguese (as written in Portugal and in international bodies) puts 0 in the plural.
        ("pt", 0, "0 delegados"),
        ("de", 1, "1 Delegierte/r"),
        ("de", 2, "2 Delegierte"),
        # German, like English, puts 0 in the plural.
        ("de", 0, "0 Delegierte"),
        ("fr", 1, "1 délégué"),
        ("fr", 2, "2 délégués"),
        ("es", 1, "1 delegado/a"),
        ("es", 2, "2 delegados"),
        # Spanish has a third plural form (for millions); it must be filled in too.
        ("es", 1000000, "1000000 delegados"),
    ],
)
def test_plural_forms(language, n, expected):
    with translation.override(language):
        text = ngettext("%(n)s delegate", "%(n)s delegates", n) % {"n": n}
    assert text == expected


def test_german_placeholders_keep_their_place():
    with translation.override("de"):
        text = gettext("Invoice %(number)s is ready; it was also sent by e-mail.") % {
            "number": "WCG27-0001"
        }
    assert text == "Die Rechnung WCG27-0001 ist bereit; sie wurde Ihnen auch per E-Mail gesendet."


def test_placeholders_survive_translation():
    with translation.override("fr"):
        text = gettext("Invoice %(number)s is ready; it was also sent by e-mail.") % {
            "number": "WCG27-0001"
        }
    assert text.startswith("La facture WCG27-0001 est prête")


MAKEMESSAGES_IGNORES = (
    ".venv/*",
    "tests/*",
    "bench/*",
    "staticfiles/*",
    "media/*",
    "node_modules/*",
)


def _msgids(po_path: Path) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every live entry: enough to see a string missing from a catalogue."""
    keys, context, msgid, field = set(), "", None, None
    for raw in po_path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line or line.startswith("#"):
            if msgid:
                keys.add((context, msgid))
            if not line:
                context, msgid, field = "", None, None
            continue
        for keyword in ("msgctxt", "msgid_plural", "msgid", "msgstr"):
            if line.startswith(keyword + " ") or line.startswith(keyword + "["):
                field = keyword
                value = line.split(" ", 1)[1]
                if keyword == "msgctxt":
                    context = value.strip('"')
                elif keyword == "msgid":
                    msgid = value.strip('"')
                break
        else:
            if line.startswith('"'):
                if field == "msgid":
                    msgid = (msgid or "") + line.strip('"')
                elif field == "msgctxt":
                    context += line.strip('"')
    return keys


def test_every_source_string_is_in_the_catalogues(tmp_path):
    """A gettext string added in code but never extracted would ship in English only: extract
    the strings from a copy of the source and compare with the committed catalogues."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext not found: install gettext")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "media", "bench", "tests", "*.mo"
        ),
        symlinks=True,
    )
    command = ["manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    subprocess.run(
        [sys.executable, *command],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    extracted = _msgids(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    committed = _msgids(LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po")
    missing = sorted(extracted - committed)
    assert not missing, (
        f"{len(missing)} strings are not in the catalogues (run makemessages, then translate): "
        f"{missing[:10]}"
    )

"""The language menu offers only the interface languages whose catalogue is complete
(``settings.INTERFACE_LANGUAGES``; ``tests/core/test_catalogues.py`` fails on a shipped catalogue
with an untranslated or fuzzy entry), each by its own name ("Français", "Español", "Português",
"Deutsch", "العربية")."""

from django import template
from django.conf import settings
from django.utils.translation import get_language_info

register = template.Library()

# Django writes Arabic's own name with a shadda ("العربيّة"); menus, and the people reading them,
# write it without ("العربية"), the form a reader looks for.
OWN_NAMES = {"ar": "العربية"}


@register.simple_tag
def interface_languages():
    return [
        {
            **get_language_info(code),
            "name_local": OWN_NAMES.get(code, get_language_info(code)["name_local"]),
        }
        for code in settings.INTERFACE_LANGUAGES
    ]

"""Random tokens (CSRF tokens, CSP nonces, secret links) are letters and digits drawn at random:
now and then one spells a short word a test says is absent ("Wen", "450", "cdn"). Checks that
something is *not* on a page read the page without them."""

import re

# 20 or more URL-safe or base64 characters in a row: every token the project makes is longer.
RANDOM_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{20,}")


def without_random_tokens(text: str) -> str:
    return RANDOM_TOKEN.sub("", text)

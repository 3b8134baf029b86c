"""PAdES signatures of the congress's documents (visa letters, certificates) with its PKCS#12
certificate, through pyHanko. Apart from the rendering (``documents_pdf``) so that the settings
service can test a certificate without importing the documents it signs."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

from .models import DocumentSettings
from .sealed_secrets import SecretUnreadable


class SigningFailed(ValueError):
    """The congress's certificate could not sign (wrong passphrase, not PKCS#12)."""


class PassphraseUnreadable(SigningFailed):
    """The stored passphrase is sealed under a key no longer configured: the owner must enter
    it again before documents can be signed."""


def passphrase_unreadable(rules: DocumentSettings) -> bool:
    """Whether a certificate is stored with a passphrase none of the sealing keys opens."""
    if not rules.signing_certificate or not rules.signing_passphrase_sealed:
        return False
    try:
        rules.signing_passphrase  # noqa: B018 (unsealing is the check)
    except SecretUnreadable:
        return True
    return False


def run_coroutine(coroutine):
    """Run one of pyHanko's coroutines to its end. Its synchronous wrappers call
    ``asyncio.run``, which refuses to start where this thread already runs an event loop (an
    ASGI server, a test process driving Chromium through Playwright): there it runs in a thread
    of its own. Signing is pure computation, so nothing is shared with that thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def read_certificate(rules: DocumentSettings) -> bytes:
    """The PKCS#12 file's bytes, leaving a file just uploaded open (and rewound) for saving."""
    field = rules.signing_certificate
    if field._committed:
        with field.open("rb") as handle:
            return handle.read()
    field.open("rb")
    data = field.read()
    field.seek(0)
    return data


def signer_for(pkcs12: bytes, passphrase: str):
    """pyHanko's signer for the certificate, or ``SigningFailed`` (wrong passphrase, not
    PKCS#12, a passphrase none of the sealing keys opens)."""
    from pyhanko.sign import signers

    try:
        return signers.SimpleSigner.load_pkcs12_data(
            pkcs12, other_certs=[], passphrase=passphrase.encode() or None
        )
    except ValueError as error:
        raise SigningFailed(str(error)) from error


def sign_pdf(pdf: bytes, rules: DocumentSettings) -> bytes:
    """A PAdES baseline signature with the congress's PKCS#12 certificate, if it gave one."""
    if not rules.signing_certificate:
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        passphrase = rules.signing_passphrase
    except SecretUnreadable as error:
        raise PassphraseUnreadable(str(error)) from error
    try:
        pkcs12 = read_certificate(rules)
    except (OSError, ValueError) as error:
        raise SigningFailed(str(error)) from error
    signer = signer_for(pkcs12, passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="ConveneSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=rules.signatory_name or None,
    )
    out = run_coroutine(signers.async_sign_pdf(writer, meta, signer=signer))
    return out.getvalue()

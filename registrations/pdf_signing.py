"""PAdES signatures of the congress's documents (visa letters, certificates) with its PKCS#12
certificate, through pyHanko. Apart from the rendering (``documents_pdf``) so that the settings
service can test a certificate without importing the documents it signs."""

from __future__ import annotations

import io

from .models import DocumentSettings


class SigningFailed(ValueError):
    """The congress's certificate could not sign (wrong passphrase, not PKCS#12)."""


def sign_pdf(pdf: bytes, rules: DocumentSettings) -> bytes:
    """A PAdES baseline signature with the congress's PKCS#12 certificate, if it gave one."""
    if not rules.signing_certificate:
        return pdf
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        with rules.signing_certificate.open("rb") as handle:
            pkcs12 = handle.read()
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12, other_certs=[], passphrase=rules.signing_passphrase.encode() or None
        )
    except (OSError, ValueError) as error:
        raise SigningFailed(str(error)) from error
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="ConveneSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=rules.signatory_name or None,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()

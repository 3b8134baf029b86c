"""Electronic invoices (EN 16931) from an issued, frozen invoice or credit note.

``document`` reads the frozen snapshot into the EN 16931 semantic model once; ``cii`` and ``ubl``
write its two syntaxes with lxml (Factur-X and XRechnung CII; XRechnung UBL and Peppol BIS
Billing 3.0); ``facturx_pdf`` embeds the CII XML in a PDF/A-3 with the ``factur-x`` library;
``transmission`` sends a document through a channel (e-mail first; Peppol or SdI later).
Nothing here imports a model at package import time: ``registrations.models`` imports
``buyer_ids`` from this package.
"""

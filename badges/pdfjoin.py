"""Join many small PDFs into one, streaming: each part's objects go straight to the output.

pypdf's ``PdfWriter`` keeps every page in memory until it writes; for 20,000 badges that is
hundreds of megabytes. This writer parses one part at a time with pypdf, renumbers its objects,
writes them at once and keeps only the byte offsets and the page numbers (a few bytes per
object), so memory stays flat however long the batch.
"""

from __future__ import annotations

import io
from array import array
from collections import deque
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
)

_PAGES = 1
_CATALOG = 2
_INHERITABLE = ("/MediaBox", "/CropBox", "/Resources", "/Rotate")


class StreamingPdfJoiner:
    """``add(pdf_bytes)`` any number of times, then ``close()``; writes a valid PDF to ``out``."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self._start = out.tell() if out.seekable() else 0
        self._written = 0
        self._offsets = array("q", [0, 0, 0])  # object number -> offset; 1 and 2 come last
        self._pages = array("q")
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self._written += len(data)

    def _new_number(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def add(self, pdf: bytes) -> int:
        """Append every page of ``pdf``; returns the number of pages added."""
        reader = PdfReader(io.BytesIO(pdf))
        numbers: dict[int, int] = {}
        queue: deque[tuple[int, int]] = deque()

        def renumber(value):
            if isinstance(value, IndirectObject):
                new = numbers.get(value.idnum)
                if new is None:
                    new = numbers[value.idnum] = self._new_number()
                    queue.append((value.idnum, new))
                return IndirectObject(new, 0, None)
            # Raw access: pypdf's own __getitem__ would resolve (and so inline) references.
            if isinstance(value, DictionaryObject):
                for key, item in list(dict.items(value)):
                    dict.__setitem__(value, key, renumber(item))
                return value
            if isinstance(value, ArrayObject):
                for index, item in enumerate(list.__iter__(value)):
                    list.__setitem__(value, index, renumber(item))
                return value
            return value

        page_numbers = set()
        added = 0
        for page in reader.pages:
            ref = page.indirect_reference
            new = renumber(IndirectObject(ref.idnum, ref.generation, reader))
            page_numbers.add(ref.idnum)
            self._pages.append(new.idnum)
            added += 1

        while queue:
            old, new = queue.popleft()
            obj = reader.get_object(old)
            if obj is None:  # a dangling reference in the part: PDF says it means null
                obj = NullObject()
            elif old in page_numbers:
                # Resolve what the page inherits from its old tree before cutting it loose.
                inherited = {key: _inherited(obj, key) for key in _INHERITABLE if key not in obj}
                page = DictionaryObject({k: v for k, v in dict.items(obj) if k != "/Parent"})
                page.update({NameObject(k): v for k, v in inherited.items() if v is not None})
                obj = renumber(page)
                obj[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)
            else:
                obj = renumber(obj)
            self._offsets[new] = self._written
            self._write(f"{new} 0 obj\n".encode())
            buffer = io.BytesIO()
            obj.write_to_stream(buffer)
            self._write(buffer.getvalue())
            self._write(b"\nendobj\n")
        return added

    def close(self) -> None:
        """Write the page tree, the catalogue, the cross-reference table and the trailer."""
        kids = " ".join(f"{n} 0 R" for n in self._pages)
        self._offsets[_PAGES] = self._written
        self._write(
            f"{_PAGES} 0 obj\n<< /Type /Pages /Kids [{kids}] /Count {len(self._pages)} >>\n"
            "endobj\n".encode()
        )
        self._offsets[_CATALOG] = self._written
        self._write(
            f"{_CATALOG} 0 obj\n<< /Type /Catalog /Pages {_PAGES} 0 R >>\nendobj\n".encode()
        )
        xref_at = self._written
        size = len(self._offsets)
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self._offsets[1:]]
        self._write("".join(lines).encode())
        trailer = f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R >>\nstartxref\n{xref_at}\n"
        self._write(trailer.encode() + b"%%EOF\n")
        self.out.flush()


def _inherited(page, key):
    node = page.get("/Parent")
    while node is not None:
        node = node.get_object()
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None

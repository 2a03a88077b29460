"""File bytes made on demand from a file's id and name, so thousands of files cost no memory.

A seeded PDF is a valid one-page PDF that prints the file's title, followed by an unreferenced
stream object of `padding` pseudo-random bytes (so sizes look real); Word and Excel files are
small valid OOXML packages. The same file always yields the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sandbox.drive.files import DOCX_MIME, PDF_MIME, XLSX_MIME, StoredFile

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Filler:
    """`length` pseudo-random bytes, generated in 64 KiB blocks seeded by `seed` and index."""

    seed: str
    length: int

    def block(self, index: int) -> bytes:
        size = min(CHUNK, self.length - index * CHUNK)
        return random.Random(f"{self.seed}/{index}").randbytes(size)

    def iter_range(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes `start`..`end` (exclusive)."""
        index = start // CHUNK
        while index * CHUNK < end:
            block = self.block(index)
            base = index * CHUNK
            yield block[max(0, start - base) : end - base]
            index += 1


Segment = bytes | Filler


@dataclass(frozen=True)
class Blob:
    segments: tuple[Segment, ...]

    @property
    def size(self) -> int:
        return sum(_length(s) for s in self.segments)

    def iter_range(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes `start`..`end` (exclusive; None is the end), in chunks of at most 64 KiB."""
        end = self.size if end is None else end
        offset = 0
        for segment in self.segments:
            length = _length(segment)
            lo, hi = max(start, offset), min(end, offset + length)
            if lo < hi:
                yield from _segment_range(segment, lo - offset, hi - offset)
            offset += length

    def md5(self) -> str:
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in self.iter_range():
            digest.update(chunk)
        return digest.hexdigest()


def _length(segment: Segment) -> int:
    return segment.length if isinstance(segment, Filler) else len(segment)


def _segment_range(segment: Segment, start: int, end: int) -> Iterator[bytes]:
    if isinstance(segment, Filler):
        yield from segment.iter_range(start, end)
    else:
        for lo in range(start, end, CHUNK):
            yield segment[lo : min(end, lo + CHUNK)]


def blob_of(file: StoredFile) -> Blob:
    if file.uploaded is not None:
        return Blob((file.uploaded,))
    if file.mime_type == PDF_MIME:
        return pdf_blob(file.id, file.title, file.padding)
    if file.mime_type in (DOCX_MIME, XLSX_MIME):
        return Blob((ooxml_package(file.mime_type, file.title),))
    return Blob((f"{file.title}\n".encode(),))


def pdf_blob(file_id: str, title: str, padding: int) -> Blob:
    text = _pdf_string(title)
    page = f"BT /F1 16 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(page), page),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    head = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(head))
        head += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets.append(len(head))
    head += b"6 0 obj\n<< /Length %d >>\nstream\n" % padding
    xref_at = len(head) + padding + len(b"\nendstream\nendobj\n")
    tail = bytearray(b"\nendstream\nendobj\n")
    tail += b"xref\n0 7\n0000000000 65535 f \n"
    tail += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    tail += b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return Blob((bytes(head), Filler(file_id, padding), bytes(tail)))


def _pdf_string(title: str) -> str:
    """The title in the PDF standard encoding: ASCII, with PDF string escapes."""
    title = title.replace("\u2014", "-").replace("\u2013", "-")
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return folded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "{overrides}</Types>"
)
_OVERRIDE = (
    '<Override PartName="/{part}" '
    'ContentType="application/vnd.openxmlformats-officedocument.{type}"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)
_DOCX_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)
_XLSX_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Summary" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_XLSX_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_XLSX_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData></worksheet>'
)


@lru_cache(maxsize=256)
def ooxml_package(mime_type: str, title: str) -> bytes:
    """A minimal valid .docx or .xlsx (stored, not deflated) whose only text is `title`."""
    text = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if mime_type == DOCX_MIME:
        main = "word/document.xml"
        parts = {main: _DOCX_BODY.format(text=text)}
        types = {main: "wordprocessingml.document.main+xml"}
    else:
        main = "xl/workbook.xml"
        parts = {
            main: _XLSX_WORKBOOK,
            "xl/_rels/workbook.xml.rels": _XLSX_WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": _XLSX_SHEET.format(text=text),
        }
        types = {
            main: "spreadsheetml.sheet.main+xml",
            "xl/worksheets/sheet1.xml": "spreadsheetml.worksheet+xml",
        }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        members = {
            "[Content_Types].xml": _CONTENT_TYPES.format(
                overrides="".join(_OVERRIDE.format(part=p, type=t) for p, t in types.items())
            ),
            "_rels/.rels": _RELS.format(part=main),
            **parts,
        }
        for name, data in members.items():
            package.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)
    return buffer.getvalue()

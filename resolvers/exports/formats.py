"""Export file formats: CSV as Excel opens it, and NDJSON, written one row at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from resolvers.exports.tables import Column, Row

BOM = "\ufeff"  # without it Excel reads UTF-8 CSV as the local code page
# A cell a spreadsheet would run as a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    encode: type[RowEncoder]


class RowEncoder:
    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = columns

    def header(self) -> bytes:
        return b""

    def row(self, row: Row) -> bytes:
        raise NotImplementedError


class CsvEncoder(RowEncoder):
    """RFC 4180 (CRLF, quotes doubled) with a header row, UTF-8 with a byte-order mark."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__(columns)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._text = [c.text for c in columns]

    def header(self) -> bytes:
        return (BOM + self._line([c.name for c in self.columns])).encode()

    def row(self, row: Row) -> bytes:
        cells = [_guarded(v) if text else v for v, text in zip(row, self._text, strict=True)]
        return self._line(["" if v is None else v for v in cells]).encode()

    def _line(self, cells: Sequence[object]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()


class NdjsonEncoder(RowEncoder):
    """One JSON object per line, keyed by column name; no header. Numbers are JSON numbers
    (money exactly as its decimal, e.g. 1108.00, never through a float), null is null."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__(columns)
        self._keys = [json.dumps(c.name) + ":" for c in columns]

    def row(self, row: Row) -> bytes:
        fields = (key + _json(value) for key, value in zip(self._keys, row, strict=True))
        return ("{" + ",".join(fields) + "}\n").encode()


def _json(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # a finite Decimal's str is a valid JSON number
    return json.dumps(value, ensure_ascii=False)


def _guarded(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


FORMATS = {
    f.name: f
    for f in (
        Format("csv", "text/csv; charset=utf-8", CsvEncoder),
        Format("ndjson", "application/x-ndjson", NdjsonEncoder),
    )
}


async def encoded(encoder: RowEncoder, rows: AsyncIterator[Row]) -> AsyncIterator[bytes]:
    yield encoder.header()
    async for row in rows:
        yield encoder.row(row)

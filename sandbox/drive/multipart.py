"""Reads a `multipart/related` upload body (metadata part, then media part). Clients differ in
line endings: Google's own Python client writes bare LF, most others CRLF; both are read."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"""boundary=(?:"([^"]+)"|([^;\s]+))""", re.IGNORECASE)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


class MultipartError(ValueError):
    pass


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "application/octet-stream").split(";")[0].strip()


def boundary_of(content_type: str) -> str:
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise MultipartError("no boundary in Content-Type")
    return match.group(1) or match.group(2)


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    delimiter = re.compile(rb"\r?\n--" + re.escape(boundary_of(content_type).encode()))
    pieces = delimiter.split(b"\r\n" + body)
    if len(pieces) < 2:
        raise MultipartError("no parts")
    parts: list[Part] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            return parts
        parts.append(_part(piece))
    raise MultipartError("no closing delimiter")


def _part(piece: bytes) -> Part:
    _, newline, rest = piece.partition(b"\n")  # transport padding after the delimiter
    if not newline:
        raise MultipartError("malformed part")
    split = _BLANK_LINE.search(rest)
    if rest.startswith((b"\r\n", b"\n")):
        head, body = b"", rest.split(b"\n", 1)[1]
    elif split is None:
        raise MultipartError("part without a blank line after its headers")
    else:
        head, body = rest[: split.start()], rest[split.end() :]
    headers = {}
    for line in head.decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            raise MultipartError(f"malformed header {line!r}")
        headers[name.strip().lower()] = value.strip()
    if headers.get("content-transfer-encoding", "").lower() == "base64":
        try:
            body = base64.b64decode(body)
        except binascii.Error as exc:
            raise MultipartError("bad base64 part") from exc
    return Part(headers, body)

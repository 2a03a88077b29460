"""Opaque global ids: base64url of "Type:accountId:upstreamId".

The owning account travels in the id so that a lookup checks it first; it is never trusted
alone: the record fetched from the upstream must belong to that account too.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from resolvers.request.errors import bad_input

NODE_TYPES = (
    "Account", "TeamMember", "Invoice", "Document", "Ticket", "Subscription", "PaymentMethod",
)  # fmt: skip


@dataclass(frozen=True)
class GlobalId:
    type_name: str
    account_id: str
    upstream_id: str

    def encode(self) -> str:
        raw = f"{self.type_name}:{self.account_id}:{self.upstream_id}".encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def encode_id(type_name: str, account_id: str, upstream_id: str) -> str:
    return GlobalId(type_name, account_id, upstream_id).encode()


def decode_id(value: str, expected_type: str | None = None) -> GlobalId:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad_input(f"{value!r} is not an id this API gave out.", "id") from None
    type_name, _, rest = raw.partition(":")
    account_id, _, upstream_id = rest.partition(":")
    if type_name not in NODE_TYPES or not account_id or not upstream_id:
        raise bad_input(f"{value!r} is not an id this API gave out.", "id")
    if expected_type is not None and type_name != expected_type:
        article = "an" if expected_type[0] in "AEIOU" else "a"
        raise bad_input(f"{value!r} is not the id of {article} {expected_type}.", "id")
    return GlobalId(type_name, account_id, upstream_id)

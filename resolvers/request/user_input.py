"""Validation of what members type into mutations. Problems are collected, not raised: a
mutation answers them all at once as `userErrors`, and writes nothing.

Text is stored as typed (HTML included): GraphQL returns strings, and escaping is the
job of whoever renders them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import pycountry


class ProblemCode(StrEnum):
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID = "INVALID"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    INVALID_POSTAL_CODE = "INVALID_POSTAL_CODE"
    INVALID_PHONE = "INVALID_PHONE"
    PHONE_REQUIRED = "PHONE_REQUIRED"
    STRIPE_BEHIND = "STRIPE_BEHIND"  # saved in HubSpot; the Stripe customer not yet
    INVALID_EMAIL = "INVALID_EMAIL"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    SEAT_LIMIT = "SEAT_LIMIT"
    LAST_ADMIN = "LAST_ADMIN"
    SELF = "SELF"
    BUSY = "BUSY"
    # Billing self-service
    NOT_FOUND = "NOT_FOUND"  # a price the account is not offered (unknown, or another's)
    PRICE_ARCHIVED = "PRICE_ARCHIVED"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    NO_CHANGE = "NO_CHANGE"
    NO_SUBSCRIPTION = "NO_SUBSCRIPTION"
    PREVIEW_EXPIRED = "PREVIEW_EXPIRED"
    PREVIEW_MISMATCH = "PREVIEW_MISMATCH"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    NOT_CANCELLING = "NOT_CANCELLING"
    DEFAULT_IN_USE = "DEFAULT_IN_USE"
    LAST_PAYMENT_METHOD = "LAST_PAYMENT_METHOD"
    INVOICE_NOT_OPEN = "INVOICE_NOT_OPEN"
    STRIPE_REFUSED = "STRIPE_REFUSED"


@dataclass(frozen=True)
class Problem:
    field: str | None  # the input path, e.g. "billingAddress.country"; None for the whole
    message: str
    code: ProblemCode


# E.164: a plus, a country code not starting with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# Countries without a postal code system (Universal Postal Union list, as Google's
# libaddressinput has it); everywhere else a billing address needs one.
_NO_POSTAL_CODES = frozenset(
    [
        "AE",
        "AG",
        "AN",
        "AO",
        "AW",
        "BF",
        "BI",
        "BJ",
        "BO",
        "BS",
        "BW",
        "BZ",
        "CD",
        "CF",
        "CG",
        "CI",
        "CK",
        "CM",
        "DJ",
        "DM",
        "ER",
        "FJ",
        "GA",
        "GD",
        "GH",
        "GM",
        "GQ",
        "GY",
        "HK",
        "IE",
        "JM",
        "KE",
        "KI",
        "KM",
        "KN",
        "KP",
        "LC",
        "ML",
        "MO",
        "MR",
        "MS",
        "MW",
        "NA",
        "NR",
        "NU",
        "QA",
        "RW",
        "SB",
        "SC",
        "SL",
        "SO",
        "SR",
        "SS",
        "ST",
        "SY",
        "TD",
        "TF",
        "TG",
        "TK",
        "TL",
        "TO",
        "TT",
        "TV",
        "UG",
        "VU",
        "YE",
        "ZW",
    ]
)
# An address a mail server takes: one @, a dotted domain, no spaces, quotes or the
# characters that would split a header's address list.
_EMAIL = re.compile(r"[^@\s<>,;:\"()\[\]\\]{1,64}@[^@\s<>,;:\"()\[\]\\]{1,251}\.[A-Za-z]{2,63}")
MAX_EMAIL = 254
_POSTAL_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,13}[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass
class Checks:
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str | None, message: str, code: ProblemCode) -> None:
        self.problems.append(Problem(field_name, message, code))

    def text(
        self, field_name: str, value: str | None, *, max_length: int, required: bool = False
    ) -> str | None:
        """The value trimmed; None when not given. Blank counts as not given unless required."""
        if value is None:
            if required:
                self.add(field_name, "This field is required.", ProblemCode.REQUIRED)
            return None
        trimmed = value.strip()
        if not trimmed and required:
            self.add(field_name, "This field cannot be blank.", ProblemCode.REQUIRED)
        elif len(trimmed) > max_length:
            self.add(field_name, f"At most {max_length} characters.", ProblemCode.TOO_LONG)
        elif "\x00" in trimmed:
            self.add(field_name, "Text cannot contain NUL characters.", ProblemCode.INVALID)
        return trimmed

    def email(self, field_name: str, value: str) -> str:
        """The address trimmed and lower-cased, as HubSpot keeps it."""
        address = value.strip().lower()
        if not address:
            self.add(field_name, "This field cannot be blank.", ProblemCode.REQUIRED)
        elif len(address) > MAX_EMAIL or not _EMAIL.fullmatch(address):
            self.add(field_name, "Not an email address.", ProblemCode.INVALID_EMAIL)
        return address

    def name(self, field_name: str, value: str, *, max_length: int) -> str:
        """A required person's name, on one line."""
        trimmed = self.text(field_name, value, max_length=max_length, required=True) or ""
        if trimmed and len(trimmed) <= max_length and any(ord(c) < 32 for c in trimmed):
            self.add(field_name, "A name cannot contain line breaks or control characters.",
                     ProblemCode.INVALID)  # fmt: skip
        return trimmed

    def phone(self, field_name: str, value: str | None) -> str | None:
        """An E.164 number; spaces, dots, dashes and brackets are allowed and dropped."""
        if value is None or not value.strip():
            return None if value is None else ""
        compact = re.sub(r"[\s.()-]", "", value)
        if not _E164.fullmatch(compact):
            self.add(
                field_name,
                "Use the international format, e.g. +44 20 7946 0958.",
                ProblemCode.INVALID_PHONE,
            )
        return compact

    def country(self, field_name: str, value: str | None) -> str | None:
        """An ISO 3166-1 alpha-2 code, upper case."""
        if value is None:
            return None
        code = value.strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            self.add(
                field_name,
                f"{value!r} is not an ISO 3166-1 alpha-2 country code.",
                ProblemCode.INVALID_COUNTRY,
            )
        return code

    def postal_code(self, field_name: str, value: str | None, country: str | None) -> str | None:
        code = None if value is None else value.strip()
        if country and country not in _NO_POSTAL_CODES and not code:
            self.add(field_name, f"A postal code is required in {country}.", ProblemCode.REQUIRED)
        elif code and not _POSTAL_CODE.fullmatch(code):
            self.add(field_name, "Not a postal code.", ProblemCode.INVALID_POSTAL_CODE)
        return code


def has_postal_codes(country: str) -> bool:
    return country not in _NO_POSTAL_CODES

"""Who is asking: a HubSpot contact with a portal role, and the companies it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"
    USER = "USER"
    READ_ONLY = "READ_ONLY"


class MemberStatus(StrEnum):
    INVITED = "INVITED"
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class Credential(StrEnum):
    SESSION = "SESSION"  # a person signed in by magic link
    API_TOKEN = "API_TOKEN"  # noqa: S105 - a kind of credential: a BI tool, read-only


class AuthRefusal(Enum):
    """Why a request has no viewer, each cause with its own code (the name) and message.
    None tells whether an email is known: each follows a credential the portal issued, or none.
    """

    MISSING_CREDENTIALS = (
        "Sign in first: send the session cookie or an `Authorization: Bearer` token."
    )
    MALFORMED_CREDENTIALS = (
        "The credentials sent are not a portal session or API token: send "
        "`Authorization: Bearer <token>` with the token exactly as it was given."
    )
    SESSION_EXPIRED = "Your session has expired or has ended: sign in again."
    API_TOKEN_INVALID = "This API token is not valid: check that it was copied whole."  # noqa: S105
    API_TOKEN_EXPIRED = "This API token has expired: ask an ADMIN of your account for a new one."  # noqa: S105
    API_TOKEN_REVOKED = (
        "This API token has been revoked: ask an ADMIN of your account for a new one."  # noqa: S105
    )
    MEMBER_DISABLED = "Your access to the portal is not active: ask an ADMIN of your account."

    @property
    def code(self) -> str:
        return self.name

    @property
    def message(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Viewer:
    contact_id: str
    email: str
    role: Role
    # Companies the contact is associated with, in HubSpot's order. An ADMIN also sees the
    # sub-accounts of each (checked through the parent link where an account is resolved).
    member_of: tuple[str, ...]
    credential: Credential = Credential.SESSION

    @property
    def read_only(self) -> bool:
        """May not change anything, whatever its role (mutations answer FORBIDDEN)."""
        return self.credential is Credential.API_TOKEN

    @property
    def primary_account_id(self) -> str:
        return self.member_of[0]

    def is_member_of(self, account_id: str) -> bool:
        return account_id in self.member_of

    def sees_sub_accounts(self) -> bool:
        return self.role is Role.ADMIN

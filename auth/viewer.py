"""Who is asking: a HubSpot contact with a portal role, and the companies it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from auth.viewer import MemberStatus as MemberStatusValue
from auth.viewer import Role
from connectors.hubspot import Contact
from resolvers.ids import encode_id
from resolvers.profile import guide_completed_at, is_viewer, preferences_of
from schema.context import Info
from schema.enums import parse_enum
from schema.notifications import NotificationPreference, preference_list
from schema.relay import Node


@strawberry.enum(description="What a member may do: ADMIN manages the team too.")
class TeamRole(Enum):
    ADMIN = Role.ADMIN.value
    USER = Role.USER.value
    READ_ONLY = Role.READ_ONLY.value


@strawberry.enum
class MemberStatus(Enum):
    INVITED = MemberStatusValue.INVITED.value
    ACTIVE = MemberStatusValue.ACTIVE.value
    DISABLED = MemberStatusValue.DISABLED.value


@strawberry.type(description="A person of the client's organisation with portal access.")
class TeamMember(Node):
    first_name: str | None
    last_name: str | None
    name: str
    email: str | None
    phone: str | None
    job_title: str | None
    role: TeamRole | None
    status: MemberStatus | None

    record: strawberry.Private[Contact]

    @strawberry.field(description="The member's own choices; null for anyone else's.")
    def notification_preferences(self, info: Info) -> list[NotificationPreference] | None:
        if not is_viewer(info.context, self.record):
            return None
        return preference_list(preferences_of(self.record))

    @strawberry.field(
        description="When the member closed the portal's first-login guide; null while they "
        "have not (and for anyone else)."
    )
    def first_login_guide_completed_at(self, info: Info) -> datetime | None:
        if not is_viewer(info.context, self.record):
            return None
        return guide_completed_at(self.record)

    @classmethod
    def from_upstream(cls, contact: Contact, account_id: str) -> TeamMember:
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        return cls(
            id=strawberry.ID(encode_id("TeamMember", account_id, contact.id)),
            first_name=contact.first_name,
            last_name=contact.last_name,
            name=name or contact.email or "",
            email=contact.email,
            phone=contact.phone,
            job_title=contact.job_title,
            role=parse_enum(TeamRole, contact.portal_role),
            status=parse_enum(MemberStatus, contact.portal_status),
            record=contact,
        )

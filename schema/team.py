from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from auth.permissions import UPDATE_OWN_NOTIFICATIONS, UPDATE_OWN_PROFILE
from auth.viewer import MemberStatus as MemberStatusValue
from auth.viewer import Role
from connectors.hubspot import Contact
from resolvers import team
from resolvers.request.ids import encode_id
from resolvers.request.writes import WriteResult
from resolvers.team import is_viewer, preferences_of
from schema.context import Info
from schema.enums import parse_enum
from schema.notifications import (
    NotificationPreference,
    NotificationPreferenceInput,
    preference_list,
)
from schema.relay import Node
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors


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
    invited_at: datetime | None = strawberry.field(
        description="When the portal invited them; null if it never did."
    )
    invited_by: str | None = strawberry.field(description="Who invited them, by name.")
    last_sign_in_at: datetime | None = strawberry.field(
        description="When they last signed in to the portal, where known."
    )

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
        return self.record.guide_completed_at

    @classmethod
    def from_upstream(cls, contact: Contact, account_id: str) -> TeamMember:
        return cls(
            id=strawberry.ID(encode_id("TeamMember", account_id, contact.id)),
            first_name=contact.first_name,
            last_name=contact.last_name,
            name=contact.full_name or contact.email or "",
            email=contact.email,
            phone=contact.phone,
            job_title=contact.job_title,
            role=parse_enum(TeamRole, contact.portal_role),
            status=parse_enum(MemberStatus, contact.portal_status),
            invited_at=contact.invited_at,
            invited_by=contact.invited_by,
            last_sign_in_at=contact.last_sign_in_at,
            record=contact,
        )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateMyProfileInput:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = strawberry.field(
        default=None, description='E.164, e.g. "+44 20 7946 0958"; "" removes it.'
    )
    job_title: str | None = None


@strawberry.input(description="The types listed get exactly these channels; others stay.")
class UpdateNotificationPreferencesInput:
    preferences: list[NotificationPreferenceInput]


@strawberry.type
class UpdateMyProfilePayload:
    member: TeamMember | None = strawberry.field(description="The member as they are now.")
    user_errors: list[UserError]


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(
        description="Changes the signed-in member's own contact in HubSpot.",
        extensions=allowed_to(UPDATE_OWN_PROFILE),
    )
    async def update_my_profile(
        self, info: Info, input: UpdateMyProfileInput
    ) -> UpdateMyProfilePayload:
        result = await team.update_my_profile(
            info.context,
            team.ProfileInput(
                first_name=input.first_name,
                last_name=input.last_name,
                phone=input.phone,
                job_title=input.job_title,
            ),
        )
        return _payload(info, result)

    @strawberry.mutation(
        description="Chooses which notifications the member gets, and how.",
        extensions=allowed_to(UPDATE_OWN_NOTIFICATIONS),
    )
    async def update_notification_preferences(
        self, info: Info, input: UpdateNotificationPreferencesInput
    ) -> UpdateMyProfilePayload:
        changes = [p.to_resolver() for p in input.preferences]
        result = await team.update_notification_preferences(info.context, changes)
        return _payload(info, result)

    @strawberry.mutation(
        description="Remembers that the member closed the first-login guide (shown once).",
        extensions=allowed_to(UPDATE_OWN_PROFILE),
    )
    async def complete_first_login_guide(self, info: Info) -> UpdateMyProfilePayload:
        return _payload(info, await team.complete_first_login_guide(info.context))


def _payload(info: Info, result: WriteResult[Contact]) -> UpdateMyProfilePayload:
    account_id = info.context.require_viewer().primary_account_id
    member = None if result.record is None else TeamMember.from_upstream(result.record, account_id)
    return UpdateMyProfilePayload(member=member, user_errors=user_errors(result.problems))

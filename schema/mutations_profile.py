"""`updateMyProfile` and `updateNotificationPreferences`: the member's own record."""

from __future__ import annotations

import strawberry

from connectors.hubspot import Contact
from resolvers import profile
from resolvers.writes import WriteResult
from schema.context import Info
from schema.notifications import NotificationPreferenceInput
from schema.team import TeamMember
from schema.user_errors import UserError, user_errors


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
    @strawberry.mutation(description="Changes the signed-in member's own contact in HubSpot.")
    async def update_my_profile(
        self, info: Info, input: UpdateMyProfileInput
    ) -> UpdateMyProfilePayload:
        result = await profile.update_my_profile(
            info.context,
            profile.ProfileInput(
                first_name=input.first_name,
                last_name=input.last_name,
                phone=input.phone,
                job_title=input.job_title,
            ),
        )
        return _payload(info, result)

    @strawberry.mutation(description="Chooses which notifications the member gets, and how.")
    async def update_notification_preferences(
        self, info: Info, input: UpdateNotificationPreferencesInput
    ) -> UpdateMyProfilePayload:
        changes = [p.to_resolver() for p in input.preferences]
        result = await profile.update_notification_preferences(info.context, changes)
        return _payload(info, result)

    @strawberry.mutation(
        description="Remembers that the member closed the first-login guide (shown once)."
    )
    async def complete_first_login_guide(self, info: Info) -> UpdateMyProfilePayload:
        return _payload(info, await profile.complete_first_login_guide(info.context))


def _payload(info: Info, result: WriteResult[Contact]) -> UpdateMyProfilePayload:
    account_id = info.context.require_viewer().primary_account_id
    member = None if result.record is None else TeamMember.from_upstream(result.record, account_id)
    return UpdateMyProfilePayload(member=member, user_errors=user_errors(result.problems))

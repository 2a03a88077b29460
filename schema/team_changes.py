"""Team management mutations: invitations, roles, deactivation and removal, each answering
the member as it is afterwards and the `userErrors` that stopped the change."""

from __future__ import annotations

import strawberry

from auth.permissions import MANAGE_TEAM
from auth.viewer import Role
from resolvers import team_changes
from resolvers.team_changes import Result
from schema.context import Info
from schema.roles import allowed_to
from schema.team import TeamMember, TeamRole
from schema.user_errors import UserError, user_errors


@strawberry.input
class InviteMemberInput:
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sub-account's id; the member's own account by default."
    )
    email: str = strawberry.field(description="Case and surrounding spaces do not matter.")
    first_name: str
    last_name: str
    role: TeamRole = strawberry.field(
        description="Someone already active in another account keeps their role: HubSpot "
        "holds one role per person."
    )


@strawberry.type
class TeamMemberPayload:
    member: TeamMember | None = strawberry.field(description="The member as they are now.")
    user_errors: list[UserError]


@strawberry.type
class TeamMutations:
    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: finds the person in HubSpot by email (or creates them), links "
        "them to the account as INVITED and mails them a link valid for 7 days.",
    )
    async def invite_member(self, info: Info, input: InviteMemberInput) -> TeamMemberPayload:
        account_id = None if input.account_id is None else str(input.account_id)
        invite = team_changes.InviteInput(
            email=input.email,
            first_name=input.first_name,
            last_name=input.last_name,
            role=Role(input.role.value),
        )
        return _payload(await team_changes.invite_member(info.context, account_id, invite))

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: a new link by mail; the earlier one stops working.",
    )
    async def resend_invitation(self, info: Info, member_id: strawberry.ID) -> TeamMemberPayload:
        return _payload(await team_changes.resend_invitation(info.context, member_id))

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: the link stops working at once and the person leaves the team.",
    )
    async def revoke_invitation(self, info: Info, member_id: strawberry.ID) -> TeamMemberPayload:
        return _payload(await team_changes.revoke_invitation(info.context, member_id))

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: HubSpot holds one role per person, in each of their accounts.",
    )
    async def change_member_role(
        self, info: Info, member_id: strawberry.ID, role: TeamRole
    ) -> TeamMemberPayload:
        result = await team_changes.change_member_role(info.context, member_id, Role(role.value))
        return _payload(result)

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: DISABLED; every session of the member is refused from now on.",
    )
    async def deactivate_member(self, info: Info, member_id: strawberry.ID) -> TeamMemberPayload:
        return _payload(await team_changes.deactivate_member(info.context, member_id))

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: ACTIVE again, within the account's seats.",
    )
    async def reactivate_member(self, info: Info, member_id: strawberry.ID) -> TeamMemberPayload:
        return _payload(await team_changes.reactivate_member(info.context, member_id))

    @strawberry.mutation(
        extensions=allowed_to(MANAGE_TEAM),
        description="ADMIN: unlinks the person from this account only; the HubSpot contact "
        "and its other accounts stay.",
    )
    async def remove_member(self, info: Info, member_id: strawberry.ID) -> TeamMemberPayload:
        return _payload(await team_changes.remove_member(info.context, member_id))


def _payload(result: Result) -> TeamMemberPayload:
    change = result.record
    member = None if change is None else TeamMember.from_upstream(change.contact, change.account.id)
    return TeamMemberPayload(member=member, user_errors=user_errors(result.problems))

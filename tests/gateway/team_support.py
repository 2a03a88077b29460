"""What the team-management tests share: the mutations' documents, the invitation mail as it
lands in the outbox, and HubSpot's side of a membership read as an independent client."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from resolvers.request.ids import encode_id
from sandbox.accounts import Person
from tests.gateway.conftest import GatewayClient
from tests.gateway.upstream_state import hubspot_call

MEMBER = "member { id email name role status invitedAt invitedBy lastSignInAt }"
ERRORS = "userErrors { field message code }"
INVITE = f"""
mutation ($input: InviteMemberInput!) {{ inviteMember(input: $input) {{ {MEMBER} {ERRORS} }} }}"""
BY_ID = {
    name: f"mutation ($id: ID!) {{ {name}(memberId: $id) {{ {MEMBER} {ERRORS} }} }}"
    for name in (
        "resendInvitation", "revokeInvitation", "deactivateMember", "reactivateMember",
        "removeMember",
    )
}  # fmt: skip
CHANGE_ROLE = f"""
mutation ($id: ID!, $role: TeamRole!) {{
  changeMemberRole(memberId: $id, role: $role) {{ {MEMBER} {ERRORS} }} }}"""
TEAM = """
query ($account: ID!, $status: [MemberStatus!], $role: [TeamRole!], $search: String,
       $first: Int, $after: String) {
  account(id: $account) {
    team(first: $first, after: $after, status: $status, role: $role, search: $search) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { id email name role status invitedBy }
    }
  }
}"""
# Every new mutation, with variables naming a member (or the account) of Acme.
NEW_MUTATIONS = ["inviteMember", "changeMemberRole", *BY_ID]
_LINK = re.compile(r"http://localhost/invitations/([A-Za-z0-9_-]+)")


def member_id(person: Person, account_id: str | None = None) -> str:
    return encode_id("TeamMember", account_id or person.company_ids[0], person.contact_id)


def account_id(number: str) -> str:
    return encode_id("Account", number, number)


def invite_input(email_address: str, role: str = "USER", **more: Any) -> dict[str, Any]:
    return {
        "input": {"email": email_address, "firstName": "Jane", "lastName": "Doe", "role": role,
                  **more}
    }  # fmt: skip


def call_of(name: str, person: Person | None, account: str) -> tuple[str, dict[str, Any]]:
    """A call of each new mutation with variables that name `person` (or `account`)."""
    if name == "inviteMember":
        return INVITE, invite_input("new.person@example.com", accountId=account_id(account))
    assert person is not None
    target = member_id(person, account)
    if name == "changeMemberRole":
        return CHANGE_ROLE, {"id": target, "role": "READ_ONLY"}
    return BY_ID[name], {"id": target}


@dataclass(frozen=True)
class Mail:
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None
        return str(found.get_content())

    @property
    def token(self) -> str:
        links: set[str] = set(_LINK.findall(self.part("plain")))
        assert len(links) == 1, links  # one accept link
        return links.pop()


def mails(outbox: Path) -> list[Mail]:
    if not outbox.exists():
        return []
    return [
        Mail(email.message_from_bytes(path.read_bytes(), policy=default))
        for path in sorted(outbox.glob("*.eml"))
    ]


def only_mail(client: GatewayClient) -> Mail:
    [mail] = mails(client.outbox)
    return mail


def hubspot_companies_of(urls: dict[str, str], contact_id: str) -> list[str]:
    """The contact's companies, from HubSpot's v4 associations."""
    path = f"/crm/v4/objects/contacts/{contact_id}/associations/companies"
    found = hubspot_call(urls, "GET", path)
    return sorted(str(link["toObjectId"]) for link in found["results"])


def hubspot_contact_by_email(urls: dict[str, str], address: str) -> dict[str, Any]:
    properties = "email,firstname,lastname,portal_role,portal_status,portal_invited_by"
    path = f"/crm/v3/objects/contacts/{address}?idProperty=email&properties={properties}"
    found: dict[str, Any] = hubspot_call(urls, "GET", path)
    return found


async def accept(client: GatewayClient, token: str, **headers: str) -> Any:
    sent = {"Origin": "http://localhost", **headers}
    return await client.http.post(f"/invitations/{token}", headers=sent)


def data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"][field]
    return found

"""The invitation mail: the account's name and branding, who invited the person, and one
accept link; plain text for every reader, HTML beside it in the account's colours."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from auth.mail import compose

DEFAULT_COLOR = "#1f4fd1"
_COLOR = re.compile(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?")


@dataclass(frozen=True)
class InvitationMail:
    sender: str
    recipient: str
    first_name: str
    account_name: str
    inviter: str  # "Dmitri Schmidt"
    link: str
    valid_days: int
    logo_url: str | None = None
    primary_color: str | None = None

    def message(self) -> EmailMessage:
        account, inviter = _one_line(self.account_name), _one_line(self.inviter)
        subject = f"{inviter} invited you to the {account} client portal"
        message = compose(self.sender, self.recipient, subject, self.text(account, inviter))
        message.add_alternative(self.html(account, inviter), subtype="html")
        return message

    def text(self, account: str, inviter: str) -> str:
        return (
            f"Hello {self.first_name},\n\n{inviter} invited you to the client portal of "
            f"{account}.\n\nAccept the invitation:\n\n{self.link}\n\n"
            f"The link works once and expires in {self.valid_days} days. If you did not "
            "expect it, ignore this message.\n"
        )

    def html(self, account: str, inviter: str) -> str:
        color = self.primary_color if _COLOR.fullmatch(self.primary_color or "") else None
        color = color or DEFAULT_COLOR
        logo = ""
        if self.logo_url and urlsplit(self.logo_url).scheme in ("https", "http"):
            logo = (
                f'<img src="{html.escape(self.logo_url, quote=True)}" alt="{html.escape(account)}"'
                ' style="max-height:48px">'
            )
        return (
            '<!doctype html><html><body style="font-family:system-ui,sans-serif">'
            f'{logo}<h1 style="color:{color}">{html.escape(account)}</h1>'
            f"<p>Hello {html.escape(self.first_name)},</p>"
            f"<p>{html.escape(inviter)} invited you to the client portal of "
            f"{html.escape(account)}.</p>"
            f'<p><a href="{html.escape(self.link, quote=True)}" style="background:{color};'
            'color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">'
            "Accept the invitation</a></p>"
            f"<p>The link works once and expires in {self.valid_days} days.</p></body></html>"
        )


def _one_line(text: str) -> str:
    """Header-safe: a name with line breaks must not break the mail's headers."""
    return " ".join(text.split())

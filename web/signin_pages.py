"""The sign-in pages a person sees, rendered on the server so that they work before any
script loads: styled by the portal's own stylesheet, with a viewport tag, nothing inline."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlsplit

HOME = "/"


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this origin, else the portal's home: no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return HOME
    # Browsers read a backslash as a slash ("/\\evil.example") and drop tabs and newlines.
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    return value


def next_query(next_path: str) -> str:
    """`?next=…` for a link, or nothing when it would lead home anyway."""
    return "" if next_path == HOME else f"?next={quote(next_path, safe='/')}"


def page(title: str, body: str) -> str:
    """A page of the sign-in family (sign-in, invitations): one card, the app's stylesheet."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · Client portal</title>"
        "<link rel='icon' href='/portal/icon.svg' type='image/svg+xml'>"
        "<link rel='stylesheet' href='/portal/app.css'></head>"
        "<body class='signin'><main class='card signin-card'>"
        "<p class='brand-mark' aria-hidden='true'>◆</p>"
        f"{body}</main></body></html>"
    )


def _email_form(next_path: str, *, button: str, email: str = "", error: str = "") -> str:
    invalid = " aria-invalid='true' aria-describedby='email-error'" if error else ""
    problem = f"<p class='field-error' id='email-error'>{escape(error)}</p>" if error else ""
    return (
        "<form method='post' action='/auth/magic-link' class='stack'>"
        f"<input type='hidden' name='next' value='{escape(next_path)}'>"
        "<label for='email'>Work email</label>"
        f"<input id='email' name='email' type='email' autocomplete='email' required "
        f"value='{escape(email)}'{invalid}>{problem}"
        f"<button type='submit' class='primary'>{escape(button)}</button></form>"
    )


def sign_in(next_path: str, *, email: str = "", error: str = "") -> str:
    return page(
        "Sign in",
        "<h1>Sign in to your client portal</h1>"
        "<p>We email you a link that signs you in. No password needed.</p>"
        + _email_form(next_path, button="Email me a sign-in link", email=email, error=error),
    )


def check_inbox(next_path: str) -> str:
    return page(
        "Check your inbox",
        "<h1>Check your inbox</h1>"
        "<p role='status'>If that address belongs to a portal member, a sign-in link is on "
        "its way. It works once, for a few minutes.</p>"
        f"<p><a href='/signin{next_query(next_path)}'>Use another address</a></p>",
    )


def open_link(token: str, next_path: str) -> str:
    # Opening the mailed link only shows this button: mail scanners that prefetch links
    # do not use them up.
    return page(
        "Sign in",
        "<h1>Sign in to your client portal</h1>"
        "<p>Press the button to finish signing in on this device.</p>"
        f"<form method='post' action='/auth/magic-link/{escape(token)}'>"
        f"<input type='hidden' name='next' value='{escape(next_path)}'>"
        "<button type='submit' class='primary'>Sign in</button></form>",
    )


def link_not_valid(next_path: str) -> str:
    return page(
        "Link expired",
        "<h1>This sign-in link has expired or was already used</h1>"
        "<p>Links work once and for a few minutes. Enter your email and we send you a new "
        "one.</p>" + _email_form(next_path, button="Send me a new link"),
    )


def too_many(next_path: str) -> str:
    return page(
        "Try again later",
        "<h1>Too many sign-in requests</h1>"
        "<p>Please wait a few minutes, then ask for a new link.</p>"
        f"<p><a href='/signin{next_query(next_path)}'>Back to sign-in</a></p>",
    )


def unavailable(next_path: str) -> str:
    return page(
        "Try again",
        "<h1>We could not sign you in just now</h1>"
        "<p>Our customer records did not answer. Please ask for a new link in a minute.</p>"
        + _email_form(next_path, button="Send me a new link"),
    )

"""Cache scopes: what one upstream record or list is filed under, and what a portal write or
a vendor webhook names to evict it."""

from __future__ import annotations


def company(company_id: str) -> str:
    return f"hubspot:company:{company_id}"


def contact(contact_id: str) -> str:
    return f"hubspot:contact:{contact_id}"


def team(company_id: str) -> str:
    return f"hubspot:company-contacts:{company_id}"


def memberships(contact_id: str) -> str:
    return f"hubspot:contact-companies:{contact_id}"


def children(company_id: str) -> str:
    return f"hubspot:company-children:{company_id}"


def parent(company_id: str) -> str:
    return f"hubspot:company-parent:{company_id}"


def owner(owner_id: str) -> str:
    return f"hubspot:owner:{owner_id}"


def api_token(record_id: str) -> str:
    return f"hubspot:api-token:{record_id}"


def invoice(invoice_id: str) -> str:
    return f"stripe:invoice:{invoice_id}"


def invoices(customer_id: str) -> str:
    return f"stripe:invoices:{customer_id}"


def subscriptions(customer_id: str) -> str:
    return f"stripe:subscriptions:{customer_id}"


def usage(customer_id: str) -> str:
    return f"stripe:usage:{customer_id}"


def meters() -> str:
    """The account-wide list of billing meters (one entry for every customer)."""
    return "stripe:meters"


def upcoming_invoice(customer_id: str) -> str:
    return f"stripe:upcoming-invoice:{customer_id}"


def payment_methods(customer_id: str) -> str:
    return f"stripe:payment-methods:{customer_id}"


def catalogue() -> str:
    """The plans offered in the portal (Stripe prices and products)."""
    return "stripe:catalogue"


def billing(customer_id: str) -> list[str]:
    """Everything a change of the customer's subscription may make stale."""
    return [subscriptions(customer_id), upcoming_invoice(customer_id), invoices(customer_id),
            usage(customer_id)]  # fmt: skip


def ticket(ticket_id: str) -> str:
    return f"zendesk:ticket:{ticket_id}"


def tickets(organization_id: str) -> str:
    return f"zendesk:tickets:{organization_id}"


def comments(ticket_id: str) -> str:
    return f"zendesk:comments:{ticket_id}"


def zendesk_user(user_id: str) -> str:
    return f"zendesk:user:{user_id}"


def group(group_id: str) -> str:
    return f"zendesk:group:{group_id}"


def groups() -> str:
    """Every Zendesk group, listed once for all accounts."""
    return "zendesk:groups"


def file(file_id: str) -> str:
    return f"drive:file:{file_id}"


def files(folder_id: str) -> str:
    return f"drive:files:{folder_id}"


def viewer(contact_id: str) -> str:
    return f"viewer:{contact_id}"


# Keys the gateway keeps in the backend itself, beside the read-through entries: state of
# the Drive changes watch, shared by every replica (webhooks/drive_watch.py).

DRIVE_PAGE_TOKEN = "drive:changes-page-token"  # noqa: S105 - a cache key, not a secret


def drive_channel(channel_id: str) -> str:
    return f"drive:channel:{channel_id}"

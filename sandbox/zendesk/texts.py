"""The words of the seeded tickets: subjects, first messages, replies and internal notes per
support group. Private notes all start with "INTERNAL:" so that a leak is easy to spot."""

from __future__ import annotations

GROUPS = ("Billing", "Technical Support", "Onboarding", "Account Management")

GROUP_TAGS = {
    "Billing": "billing",
    "Technical Support": "technical",
    "Onboarding": "onboarding",
    "Account Management": "account",
}

EXTRA_TAGS = ("portal", "priority_customer", "follow_up", "api", "sso", "export", "renewal")

SUBJECTS = {
    "Billing": (
        "Invoice {n} shows the wrong VAT number",
        "Please send a copy of invoice {n}",
        "Card declined on renewal",
        "Change of billing address",
        "Question about proration on plan upgrade",
        "Duplicate charge in {month}",
        "Need a statement of account for {month}",
    ),
    "Technical Support": (
        "Export to CSV times out",
        "SSO login fails with error {n}",
        "API returns 502 intermittently",
        "Dashboard charts are empty since {month}",
        "Webhook deliveries delayed",
        "Cannot upload files larger than 20 MB",
        "Search does not find recent documents",
    ),
    "Onboarding": (
        "Kick-off call scheduling",
        "Data import template questions",
        "Add our finance team to the portal",
        "Training session for new admins",
        "Which integrations are included in our plan?",
    ),
    "Account Management": (
        "Renewal terms for next year",
        "Request for a quarterly business review",
        "Adding a subsidiary to our contract",
        "Contact change: new main point of contact",
        "Upgrade to the Enterprise tier",
    ),
}

FIRST_MESSAGES = (
    "Hello,\n\nWe noticed this today and it is blocking part of our team. Could you take "
    "a look?\n\nThanks,\n{requester}",
    "Hi there,\n\n{subject}. This has happened a few times this month.\n\nBest regards,\n"
    "{requester}",
    "Hello support,\n\nCould you help us with the following: {subject}.\n\nKind regards,\n"
    "{requester}",
    "Hi,\n\nFollowing up on our call: {subject}. Let me know if you need anything from our "
    "side.\n\n{requester}",
)

REQUESTER_FOLLOW_UPS = (
    "Thanks for the quick answer. One more question: does this also apply to our sub-accounts?",
    "We are still seeing this on our side. Any update?",
    "Attached are the details you asked for. Let me know if anything is missing.",
    "That worked, thank you!",
)

AGENT_REPLIES = (
    "Hi {requester_first},\n\nThanks for reaching out. We are looking into this and will "
    "get back to you shortly.\n\n{agent_first}, {group}",
    "Hi {requester_first},\n\nCould you send us a screenshot and the time this happened? "
    "That will help us narrow it down.\n\n{agent_first}, {group}",
    "Hi {requester_first},\n\nThis is now fixed on our side. Please let us know if you still "
    "see the problem.\n\n{agent_first}, {group}",
    "Hi {requester_first},\n\nI have updated your account as requested; the change is "
    "visible in the portal now.\n\n{agent_first}, {group}",
)

INTERNAL_NOTES = (
    "INTERNAL: customer is on the {tier} tier, check the contract before promising anything.",
    "INTERNAL: reproduced on staging, escalated to engineering (see JIRA OPS-{n}).",
    "INTERNAL: do not offer a credit yet, finance is reviewing the account.",
    "INTERNAL: CSM {agent_first} is aware, renewal conversation in progress.",
    "INTERNAL: waiting on the payments provider, ETA two business days.",
)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

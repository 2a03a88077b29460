"""Who's who in the seed, by what tests need of them."""

from __future__ import annotations

from sandbox.accounts import Backbone, Company, Person

ACME, ACME_EUROPE, ACME_ASIA, GLOBEX, INITECH, UMBRELLA = (
    "1001", "1002", "1003", "1004", "1005", "1006",
)  # fmt: skip


def member(backbone: Backbone, company_id: str, role: str, status: str = "ACTIVE") -> Person:
    """The first person of the company with that role and status (and no other company)."""
    return next(
        p for p in backbone.people_of(company_id)
        if p.role == role and p.status == status and p.company_ids == (company_id,)
    )  # fmt: skip


def company(backbone: Backbone, company_id: str) -> Company:
    return backbone.company(company_id)

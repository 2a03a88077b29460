"""A local stand-in for HubSpot's CRM API (v3 objects and owners, v4 associations), seeded
from the shared backbone.

Objects `companies`, `contacts`, `tasks`, `notes` under `/crm/v3/objects/{objectType}`: read
(`properties`, `associations`, `idProperty`, `archived`), list (`limit` ≤ 100, `after`),
create, update (PATCH), archive (DELETE), `batch/read` (≤ 100 `inputs`, `idProperty=email`
for contacts; 207 with `errors` when some are missing), `batch/create`, `batch/update`,
`batch/archive`, and `search` (`filterGroups` with EQ, NEQ, IN, NOT_IN, GT, GTE, LT, LTE,
BETWEEN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN and
`associations.<type>`; `sorts`; `query`; `limit` ≤ 200; `after`; `total`).
Associations under `/crm/v4`: a record's page, `batch/read` (≤ 1000 inputs, 207 with errors
for records without any), PUT default and labelled associations, DELETE, and `labels`;
HubSpot's HUBSPOT_DEFINED type ids (13 parent→child company, 14 child→parent, 1/279
contact→company primary/unlabeled, 191 company→task, 189 company→note...).
Owners: `GET /crm/v3/owners` (`limit`, `after`, `email`) and `/crm/v3/owners/{ownerId}`.

Auth: `Authorization: Bearer <token>`; any token that starts with `pat-` (a private app's
access token, e.g. `pat-sandbox`) is accepted, anything else is HubSpot's 401.

Admin API (JSON, besides the shared one in `sandbox.upstream`):
    POST /_sandbox/contacts/{id}/portal  {"role": "ADMIN", "status": "DISABLED"} (either or
                                         both): a CSM changes a member's portal access
    POST /_sandbox/companies/{id}        {"properties": {...}} (or the properties bare): a
                                         CSM edits the company
    GET  /_sandbox/changes               every change so far, as webhook events would say
"""

from sandbox.hubspot.app import create_app

__all__ = ["create_app"]

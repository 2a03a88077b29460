"""Per-request dataloaders, one per entity, batched at each vendor's limit and read through
the shared TTL cache. Made fresh for every request (`Loaders.for_request`), never shared."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from cache import freshness, scopes
from cache.read_through import CacheKey, ReadThroughCache
from connectors import drive, hubspot, stripe, zendesk
from resolvers.request.services import Services, Upstreams

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Vendor limits (docs/architecture.md, "Vendor limits").
HUBSPOT_BATCH = 100
HUBSPOT_ASSOCIATIONS_BATCH = 1000
ZENDESK_SHOW_MANY = 100
CONCURRENT_GETS = 25  # vendors without a batch read: a batch is this many concurrent GETs


class Loader(Generic[K, V]):
    """A typed face over aiodataloader's DataLoader, made on first use: most requests use
    a few of the loaders or none (a cache hit), and making all fourteen cost ~0.4 ms of a
    `{ __typename }` (measured under cProfile)."""

    def __init__(
        self,
        fetch_many: Callable[[list[K]], Awaitable[Sequence[V]]],
        max_batch_size: int,
    ) -> None:
        self._fetch_many = fetch_many
        self._max_batch_size = max_batch_size
        self._made: DataLoader[K, V] | None = None

    @property
    def _loader(self) -> DataLoader[K, V]:
        if self._made is None:
            fetch_many = self._fetch_many

            async def batch(keys: list[K]) -> list[V]:
                return list(await fetch_many(keys))

            self._made = DataLoader(batch, max_batch_size=self._max_batch_size)
        return self._made

    async def load(self, key: K) -> V:
        value: V = await self._loader.load(key)
        freshness.note_if_stale(value)
        return value

    async def load_many(self, keys: Sequence[K]) -> list[V]:
        values: list[V] = await self._loader.load_many(list(keys))
        for value in values:
            freshness.note_if_stale(value)
        return values


def _through_cache(
    cache: ReadThroughCache,
    scope: Callable[[Any], str],
    fetch: Callable[[list[Any]], Awaitable[Sequence[Any]]],
) -> Callable[[list[Any]], Awaitable[list[Any]]]:
    async def fetch_many(keys: list[Any]) -> list[Any]:
        async def load_missing(indexes: list[int]) -> Sequence[Any]:
            return await fetch([keys[i] for i in indexes])

        return await cache.get_many_or_load([CacheKey(scope(k)) for k in keys], load_missing)

    return fetch_many


@dataclass(frozen=True)
class Source:
    """Where one loader reads: the cache scope of a key, the vendor's batch read, and the
    most keys that read takes at once."""

    scope: Callable[[Any], str]
    fetch: Callable[[Upstreams, list[Any]], Awaitable[Sequence[Any]]]
    max_batch_size: int


async def _subscriptions_of_customers(
    up: Upstreams, customer_ids: list[str]
) -> list[list[stripe.Subscription]]:
    found = (stripe.subscriptions_of_customer(up.stripe, c) for c in customer_ids)
    return list(await asyncio.gather(*found))


async def _comments_of_tickets(up: Upstreams, ticket_ids: list[str]) -> list[list[zendesk.Comment]]:
    found = (zendesk.comments_of_ticket(up.zendesk, t) for t in ticket_ids)
    return list(await asyncio.gather(*found))


# One row per loader of `Loaders`, by its field's name.
SOURCES: dict[str, Source] = {
    "company_by_id": Source(
        scopes.company, lambda up, ids: hubspot.companies_by_id(up.hubspot, ids), HUBSPOT_BATCH
    ),
    "contact_by_id": Source(
        scopes.contact, lambda up, ids: hubspot.contacts_by_id(up.hubspot, ids), HUBSPOT_BATCH
    ),
    "contact_ids_by_company": Source(
        scopes.team, lambda up, ids: hubspot.contact_ids_of_companies(up.hubspot, ids),
        HUBSPOT_ASSOCIATIONS_BATCH,
    ),
    "company_ids_by_contact": Source(
        scopes.memberships, lambda up, ids: hubspot.company_ids_of_contacts(up.hubspot, ids),
        HUBSPOT_ASSOCIATIONS_BATCH,
    ),
    "child_ids_by_company": Source(
        scopes.children, lambda up, ids: hubspot.child_company_ids(up.hubspot, ids),
        HUBSPOT_ASSOCIATIONS_BATCH,
    ),
    "parent_id_by_company": Source(
        scopes.parent, lambda up, ids: hubspot.parent_company_ids(up.hubspot, ids),
        HUBSPOT_ASSOCIATIONS_BATCH,
    ),
    "owner_by_id": Source(
        scopes.owner, lambda up, ids: hubspot.owners_by_id(up.hubspot, ids), HUBSPOT_BATCH
    ),
    "invoice_by_id": Source(
        scopes.invoice, lambda up, ids: stripe.invoices_by_id(up.stripe, ids), CONCURRENT_GETS
    ),
    "subscriptions_by_customer": Source(
        scopes.subscriptions, _subscriptions_of_customers, CONCURRENT_GETS
    ),
    "ticket_by_id": Source(
        scopes.ticket, lambda up, ids: zendesk.tickets_by_id(up.zendesk, ids), ZENDESK_SHOW_MANY
    ),
    "zendesk_user_by_id": Source(
        scopes.zendesk_user, lambda up, ids: zendesk.users_by_id(up.zendesk, ids),
        ZENDESK_SHOW_MANY,
    ),
    "group_by_id": Source(
        scopes.group, lambda up, ids: zendesk.groups_by_id(up.zendesk, ids), ZENDESK_SHOW_MANY
    ),
    "comments_by_ticket": Source(scopes.comments, _comments_of_tickets, CONCURRENT_GETS),
    "file_by_id": Source(
        scopes.file, lambda up, ids: drive.files_by_id(up.drive, ids), CONCURRENT_GETS
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Loaders:
    company_by_id: Loader[str, hubspot.Company | None]
    contact_by_id: Loader[str, hubspot.Contact | None]
    contact_ids_by_company: Loader[str, list[str]]
    company_ids_by_contact: Loader[str, list[str]]
    child_ids_by_company: Loader[str, list[str]]
    parent_id_by_company: Loader[str, str | None]
    owner_by_id: Loader[str, hubspot.Owner | None]
    invoice_by_id: Loader[str, stripe.Invoice | None]
    subscriptions_by_customer: Loader[str, list[stripe.Subscription]]
    ticket_by_id: Loader[str, zendesk.Ticket | None]
    zendesk_user_by_id: Loader[str, zendesk.User | None]
    group_by_id: Loader[str, zendesk.Group | None]
    comments_by_ticket: Loader[str, list[zendesk.Comment]]
    file_by_id: Loader[str, drive.DriveFile | None]

    @classmethod
    def for_request(cls, services: Services) -> Loaders:
        up, cache = services.upstreams, services.cache
        return cls(
            **{
                name: Loader(
                    _through_cache(cache, source.scope, partial(source.fetch, up)),
                    source.max_batch_size,
                )
                for name, source in SOURCES.items()
            }
        )

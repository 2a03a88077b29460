"""Freshness: from a change made at a vendor (through the sandbox's admin API, as an agent
would make it there) to the portal showing it, per vendor, with and without webhooks.

Two gateway processes of their own, on the small sandbox, with the gateway's default TTLs:
- `hooked` has every webhook secret, the sandbox's Stripe, HubSpot and Zendesk send to it,
  and it opens its own Drive `changes.watch` channel. HOOKED_ROUNDS rounds, one change per
  vendor each, each round polled until all four show.
- `unhooked` has none: changes show when the cached read expires. One query fills the cache,
  then UNHOOKED_SAMPLES changes per vendor are spread over one TTL while a poller keeps the
  portal busy (as a user with the page open would), so the delays sample the whole range
  from the TTL down to nothing.
`hooked` is stopped and the targets removed before the second phase, so nothing evicts then.

The portal is polled every POLL_S with one account query; a change counts as shown at the
end of the first response that shows it. Each change is given at most its TTL + GRACE_S.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.client import GraphQLClient, open_http
from bench.gateway_process import CacheTtls, GatewayProcess, start_gateway
from bench.sandbox_process import SandboxProcess
from bench.signin import sign_in
from config import Settings
from resolvers.request.ids import decode_id
from sandbox.accounts import Company
from sandbox.control import SandboxControl

VENDORS = ("hubspot", "stripe", "zendesk", "drive")
SIGNED = ("hubspot", "stripe", "zendesk")  # Drive sends to the channel the gateway opens
DEFAULT_TTLS = CacheTtls(cache_s=Settings().cache_ttl_s, viewer_s=Settings().viewer_ttl_s)
POLL_S = 0.05
GRACE_S = 2.0
HOOKED_ROUNDS = 5
UNHOOKED_SAMPLES = 4
SAMPLES_PER_PHASE = max(HOOKED_ROUNDS, UNHOOKED_SAMPLES)
MARK = "bench-fresh"

ACCOUNT = """
query {
  viewer { account {
    name
    invoices(first: 100, status: OPEN) { nodes { id } }
    tickets(first: 100, status: [NEW, OPEN, PENDING, ON_HOLD]) { nodes { id } }
    documents(first: 100, filter: {nameContains: "MARK"}) { nodes { name } }
  } }
}
""".replace("MARK", MARK)

Account = dict[str, Any]


@dataclass(frozen=True)
class VendorFreshness:
    vendor: str
    webhooks: bool
    ttl_s: float
    seconds: tuple[float | None, ...]  # change -> shown, per sample; None: not within the bound

    @property
    def shown(self) -> list[float]:
        return [s for s in self.seconds if s is not None]


@dataclass(frozen=True)
class Freshness:
    vendors: list[VendorFreshness]
    poll_failures: dict[str, int]  # reason -> count, of the polling queries
    deliveries: dict[str, int]  # the hooked phase's webhook deliveries: HTTP status -> count


@dataclass
class _Sample:
    vendor: str
    shows: Callable[[Account], bool]
    deadline_s: float
    changed_at: float = 0.0
    seconds: float | None = None
    done: bool = False


@dataclass
class _Poller:
    client: GraphQLClient
    failures: dict[str, int]  # reason -> count, shared by the phases

    async def account(self) -> Account | None:
        result = await self.client.timed(ACCOUNT)
        if result.failure is not None:
            self.failures[result.failure] = self.failures.get(result.failure, 0) + 1
            return None
        account: Account = result.body["data"]["viewer"]["account"]
        return account

    async def until_shown(self, samples: list[_Sample]) -> None:
        """Polls until every sample that has been changed is shown or past its bound."""
        while pending := [s for s in samples if s.changed_at and not s.done]:
            account = await self.account()
            now = time.monotonic()
            for sample in pending:
                if account is not None and sample.shows(account):
                    sample.seconds, sample.done = now - sample.changed_at, True
                elif now - sample.changed_at > sample.deadline_s:
                    sample.done = True
            await asyncio.sleep(POLL_S)


class _Changes:
    """One vendor-side change per call, each on a record not changed before."""

    def __init__(
        self, control: SandboxControl, company: Company, first: Account, tags: Iterator[int]
    ) -> None:
        self.control = control
        self.tags = tags  # shared by both phases: no name of one may show as the other's
        self.company = company
        self.invoices = [decode_id(n["id"]).upstream_id for n in first["invoices"]["nodes"]]
        self.tickets = [decode_id(n["id"]).upstream_id for n in first["tickets"]["nodes"]]
        if min(len(self.invoices), len(self.tickets)) < SAMPLES_PER_PHASE:
            raise RuntimeError(
                f"{len(self.invoices)} open invoices and {len(self.tickets)} open tickets; "
                f"each phase needs {SAMPLES_PER_PHASE}"
            )

    def make(self, vendor: str) -> Callable[[Account], bool]:
        """Makes the change (blocking); returns what tells that the portal shows it."""
        tag = f"{MARK}-{next(self.tags)}"
        if vendor == "hubspot":
            path = f"/_sandbox/companies/{self.company.hubspot_id}"
            self.control["hubspot"].call("POST", path, {"name": tag})
            # A later rename shows this one too (the name moved on from it).
            return lambda a: a["name"].startswith(MARK) and _number(a["name"]) >= _number(tag)
        if vendor == "stripe":
            invoice = self.invoices.pop(0)
            self.control["stripe"].call("POST", f"/_sandbox/invoices/{invoice}/pay")
            return lambda a: invoice not in _upstream_ids(a["invoices"])
        if vendor == "zendesk":
            ticket = self.tickets.pop(0)
            path = f"/_sandbox/tickets/{ticket}/status"
            self.control["zendesk"].call("POST", path, {"status": "solved"})
            return lambda a: ticket not in _upstream_ids(a["tickets"])
        name = f"{tag}.pdf"
        body = {"folder_id": self.company.drive_folder_id, "name": name}
        self.control["drive"].call("POST", "/_sandbox/files", body)
        return lambda a: name in [d["name"] for d in a["documents"]["nodes"]]


def _number(name: str) -> int:
    return int(name.rpartition("-")[2])


def _upstream_ids(connection: dict[str, Any]) -> set[str]:
    return {decode_id(n["id"]).upstream_id for n in connection["nodes"]}


def webhook_settings() -> dict[str, str]:
    """The hooked gateway's secrets, new each run (the sandbox is told the same ones)."""
    return {
        "STRIPE_WEBHOOK_SECRET": f"whsec_{secrets.token_hex(16)}",
        "HUBSPOT_CLIENT_SECRET": secrets.token_hex(16),
        "ZENDESK_WEBHOOK_SECRET": secrets.token_hex(16),
        "DRIVE_WEBHOOK_TOKEN": secrets.token_hex(16),
    }


_SECRET_OF = {"stripe": "STRIPE_WEBHOOK_SECRET", "hubspot": "HUBSPOT_CLIENT_SECRET",
              "zendesk": "ZENDESK_WEBHOOK_SECRET"}  # fmt: skip


async def freshness(
    sandbox: SandboxProcess, company: Company, email: str, workdir: Path
) -> Freshness:
    hooks = webhook_settings()
    control = sandbox.control
    await asyncio.to_thread(_issue_invoices, control, company, HOOKED_ROUNDS + UNHOOKED_SAMPLES)
    measured = Freshness([], {}, {})
    tags = itertools.count(1)
    async with AsyncExitStack() as stack:
        async with asyncio.TaskGroup() as group:  # a start that fails stops the other
            hooked = group.create_task(_kept(stack, "fresh-hooked", sandbox, workdir, hooks))
            unhooked = group.create_task(_kept(stack, "fresh-unhooked", sandbox, workdir, {}))
        async with open_http(4) as http:
            await _hooked(http, hooked.result(), control, company, email, hooks, tags, measured)
            hooked.result().stop()
            await asyncio.to_thread(_unregister, control)
            await _unhooked(http, unhooked.result(), control, company, email, tags, measured)
    return measured


async def _kept(
    stack: AsyncExitStack, name: str, sandbox: SandboxProcess, workdir: Path,
    extra: dict[str, str],
) -> GatewayProcess:  # fmt: skip
    gateway = await start_gateway(name, sandbox.urls, DEFAULT_TTLS, workdir, extra)
    stack.callback(gateway.stop)
    return gateway


async def _poller(
    http: aiohttp.ClientSession, gateway: GatewayProcess, email: str, failures: dict[str, int]
) -> tuple[_Poller, Account]:
    token = await sign_in(http, gateway, email)
    poller = _Poller(GraphQLClient(http, gateway.base_url, token), failures)
    first = await poller.account()
    if first is None:
        raise RuntimeError(f"the account query failed on {gateway.name}: {poller.failures}")
    return poller, first


async def _hooked(
    http: aiohttp.ClientSession, gateway: GatewayProcess, control: SandboxControl,
    company: Company, email: str, hooks: dict[str, str], tags: Iterator[int],
    measured: Freshness,
) -> None:  # fmt: skip
    def register() -> None:
        for vendor in SIGNED:
            target = {
                "url": f"{gateway.base_url}/webhooks/{vendor}",
                "secret": hooks[_SECRET_OF[vendor]],
            }
            control[vendor].call("PUT", "/_sandbox/webhooks", target)

    await asyncio.to_thread(register)
    poller, first = await _poller(http, gateway, email, measured.poll_failures)
    changes = _Changes(control, company, first, tags)
    samples: list[_Sample] = []
    for _ in range(HOOKED_ROUNDS):
        round_ = [_Sample(v, _never, gateway.ttls.cache_s + GRACE_S) for v in VENDORS]
        await asyncio.gather(*(_change(changes, s) for s in round_))
        await poller.until_shown(round_)
        samples += round_
    measured.vendors.extend(_by_vendor(samples, webhooks=True, ttl_s=gateway.ttls.cache_s))
    for status in await asyncio.to_thread(_delivery_statuses, control):
        measured.deliveries[status] = measured.deliveries.get(status, 0) + 1


async def _unhooked(
    http: aiohttp.ClientSession, gateway: GatewayProcess, control: SandboxControl,
    company: Company, email: str, tags: Iterator[int], measured: Freshness,
) -> None:  # fmt: skip
    poller, first = await _poller(
        http, gateway, email, measured.poll_failures
    )  # fills the cache: the TTLs run
    changes = _Changes(control, company, first, tags)
    ttl_s = gateway.ttls.cache_s
    samples = [
        _Sample(v, _never, ttl_s + GRACE_S) for _ in range(UNHOOKED_SAMPLES) for v in VENDORS
    ]

    async def change_over_one_ttl() -> None:
        for i in range(UNHOOKED_SAMPLES):
            if i:
                await asyncio.sleep(ttl_s / UNHOOKED_SAMPLES)
            batch = samples[i * len(VENDORS) : (i + 1) * len(VENDORS)]
            await asyncio.gather(*(_change(changes, s) for s in batch))

    changing = asyncio.create_task(change_over_one_ttl())
    while not changing.done() or not all(s.done for s in samples):
        await poller.until_shown(samples)
        await asyncio.sleep(POLL_S)
    await changing
    measured.vendors.extend(_by_vendor(samples, webhooks=False, ttl_s=ttl_s))


async def _change(changes: _Changes, sample: _Sample) -> None:
    sample.changed_at = time.monotonic()
    sample.shows = await asyncio.to_thread(changes.make, sample.vendor)


def _never(account: Account) -> bool:
    return False


def _issue_invoices(control: SandboxControl, company: Company, count: int) -> None:
    """Open invoices for the phases to pay (the seed has too few); issued before either
    phase's first query, so they are no change to measure."""
    body = {"customer": company.stripe_customer_id, "amount_due": 1000, "description": MARK}
    for _ in range(count):
        control["stripe"].call("POST", "/_sandbox/invoices", body)


def _delivery_statuses(control: SandboxControl) -> list[str]:
    """Every webhook sent so far (the sandbox waits until all due are sent)."""
    return [
        str(d["status"])
        for vendor in VENDORS
        for d in control[vendor].call("GET", "/_sandbox/webhooks")["deliveries"]
    ]


def _unregister(control: SandboxControl) -> None:
    for vendor in SIGNED:
        control[vendor].call("DELETE", "/_sandbox/webhooks")


def _by_vendor(samples: list[_Sample], *, webhooks: bool, ttl_s: float) -> list[VendorFreshness]:
    return [
        VendorFreshness(
            vendor, webhooks, ttl_s, tuple(s.seconds for s in samples if s.vendor == vendor)
        )
        for vendor in VENDORS
    ]

// Subscription: the plan, its status and period, and what it is made of.
import { html } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { onAccount } from "../graphql.js";
import { Badge, Empty, Section, Unavailable, day, isStale, money } from "../ui.js";

export const title = "Subscription";

export function load({ accountId }) {
  return onAccount(accountId, `id subscription { id plan status currentPeriodStart currentPeriodEnd cancelAtPeriodEnd
    items { product quantity unitPrice { amount decimal currency } interval metered } }`);
}

export function Screen({ account, stale, result }) {
  const sub = account?.subscription;
  const failed = result.errors.some((e) => e.path?.includes("subscription"));
  return html`<h1>Subscription</h1>
    ${failed ? html`<${Unavailable} what="Your subscription" />`
      : !sub ? html`<${Empty} title="No subscription">Your plan, its renewal date and what it includes show here once you subscribe.</${Empty}>`
      : html`<${Section} title=${sub.plan || "Your plan"} stale=${isStale(stale, "subscription")}>
        <dl class="details">
          <dt>Status</dt><dd><${Badge} value=${sub.status} /></dd>
          <dt>Current period</dt><dd>${day(sub.currentPeriodStart)} – ${day(sub.currentPeriodEnd)}</dd>
          <dt>${sub.cancelAtPeriodEnd ? "Ends" : "Renews"}</dt><dd>${day(sub.currentPeriodEnd)}</dd>
        </dl>
        <h3>Included</h3>
        <ul class="rows">${sub.items.map((i) => html`<li><div>${i.product}${i.quantity ? ` × ${i.quantity}` : ""}<br />
          <span class="muted">${i.metered ? "Billed by use" : "Fixed price"}${i.interval ? ` · per ${i.interval}` : ""}</span></div>
          <div class="end">${i.unitPrice ? money(i.unitPrice) : "—"}</div></li>`)}</ul>
      </${Section}>`}`;
}

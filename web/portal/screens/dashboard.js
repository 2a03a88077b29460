// Dashboard: the account at a glance — open invoices (a new or newly paid one shows as
// Stripe tells us, on a live stream), open tickets, usage, recent documents.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Announcement, useLive } from "../live.js";
import { DASHBOARD_SELECTION } from "../queries/dashboard.js";
import { Badge, Empty, FieldError, Link, Section, Unavailable, day, isStale, label, money } from "../ui.js";
import { UsageBar } from "./usage.js";

export const title = "Dashboard";

export function load({ accountId }) {
  return onAccount(accountId, DASHBOARD_SELECTION);
}

const PAY = `mutation PayInvoice($input: PayInvoiceInput!) { payInvoice(input: $input) {
  url userErrors { field message code } } }`;

const UPDATED = `subscription InvoiceUpdates($accountId: ID!) { invoiceUpdated(accountId: $accountId) {
  id number status amountDue { amount decimal currency } dueAt downloadUrl } }`;

/** The open invoices as shown: a new one on top, a paid one changed in place (the list is
 * what was due when the screen opened); what changed, in words. */
function useLiveInvoices(account, session) {
  const [nodes, setNodes] = useState(account?.invoices?.nodes || null);
  useEffect(() => setNodes(account?.invoices?.nodes || null), [account]); // read again by the app
  const [said, setSaid] = useState("");
  const heard = useRef(0); // events so far: a read that began before one is older than it
  const changed = ({ invoiceUpdated: invoice }) => {
    heard.current += 1;
    setNodes((shown) => {
      const before = shown?.find((i) => i.id === invoice.id);
      if (before) {
        if (before.status !== invoice.status) setSaid(`Invoice ${invoice.number} is now ${label(invoice.status)}`);
        return shown.map((i) => (i.id === invoice.id ? invoice : i));
      }
      if (!shown || invoice.status !== "OPEN") return shown;
      setSaid(`New invoice ${invoice.number}: ${money(invoice.amountDue)} due ${day(invoice.dueAt)}`);
      return [invoice, ...shown];
    });
  };
  const catchUp = async () => { // what changed while the stream could not say
    const request = load({ accountId: session.accountId });
    const before = heard.current;
    const { data, stale } = await gql(request.query, request.variables);
    if (heard.current !== before) return false; // an event came meanwhile: read again after it
    const fresh = request.account(data)?.invoices?.nodes;
    if (!fresh || isStale(stale, "invoices")) return false; // not yet: Stripe is still away
    setNodes(fresh);
    return true;
  };
  useLive("InvoiceUpdates", UPDATED, account && { accountId: account.id }, changed, catchUp);
  return [nodes, said];
}

/** ADMINs pay an open invoice on Stripe's hosted page. */
function PayNow({ invoice }) {
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const pay = async () => {
    setBusy(true);
    const { data, errors } = await gql(PAY, { input: { invoiceId: invoice.id } });
    const url = data?.payInvoice?.url;
    if (url) return location.assign(url);
    setBusy(false);
    const found = byField(data?.payInvoice?.userErrors);
    setProblem(Object.values(found)[0] || errors[0]?.message || "The payment page could not be opened.");
  };
  return html`<br /><button class="link" onClick=${pay} disabled=${busy}>Pay now<span class="sr-only"> invoice ${invoice.number}</span></button>
    <${FieldError} id=${"pay-error-" + invoice.id} message=${problem} />`;
}

export function Screen({ account, stale, session }) {
  const [invoices, said] = useLiveInvoices(account, session);
  if (!account) return html`<h1>Dashboard</h1><${Unavailable} what="Your account" />`;
  const sub = account.subscription;
  return html`
    <${Announcement} text=${said} />
    <h1>${account.name}</h1>
    <p class="lede">${[account.tier && label(account.tier) + " plan", sub && `${label(sub.status)}, renews ${day(sub.currentPeriodEnd)}`].filter(Boolean).join(" · ")}
      ${account.accountManager && html`<br />Your account manager: ${account.accountManager.name}${account.accountManager.email && html` (<a href=${"mailto:" + account.accountManager.email}>${account.accountManager.email}</a>)`}`}</p>
    <div class="grid">
      <${Section} title="Open invoices" stale=${isStale(stale, "invoices")} action=${html`<${Link} href="/documents?type=INVOICE">All invoices</${Link}>`}>
        ${invoices == null ? html`<${Unavailable} what="Invoices" />`
          : invoices.length === 0 ? html`<${Empty} title="Nothing to pay">Invoices waiting for payment show here with their amount due.</${Empty}>`
          : html`<ul class="rows">${invoices.map((i) => html`<li>
              <div><strong>${i.number}</strong> <${Badge} value=${i.status} /><br /><span class="muted">Due ${day(i.dueAt)}</span></div>
              <div class="end"><strong>${money(i.amountDue)}</strong>${i.downloadUrl && html`<br /><a href=${i.downloadUrl} download>PDF<span class="sr-only"> of invoice ${i.number}</span></a>`}${session.isAdmin && i.status === "OPEN" && html`<${PayNow} invoice=${i} />`}</div>
            </li>`)}</ul>`}
      </${Section}>
      <${Section} title="Open tickets" stale=${isStale(stale, "tickets")} action=${html`<${Link} href="/tickets">All tickets</${Link}>`}>
        ${account.tickets == null ? html`<${Unavailable} what="Tickets" />`
          : account.tickets.nodes.length === 0 ? html`<${Empty} title="No open tickets">Questions you ask our support team show here until they are solved.</${Empty}>`
          : html`<ul class="rows">${account.tickets.nodes.map((t) => html`<li>
              <div><${Link} href=${"/tickets/" + encodeURIComponent(t.id)}>#${t.number} ${t.subject}</${Link}><br /><span class="muted">${t.group || "Support"}</span></div>
              <div class="end"><${Badge} value=${t.status} />${t.estimatedResolutionAt && html`<br /><span class="muted">Expected ${day(t.estimatedResolutionAt)}</span>`}</div>
            </li>`)}</ul>`}
      </${Section}>
      <${Section} title="Usage this period" stale=${isStale(stale, "usage")} action=${html`<${Link} href="/usage">Details</${Link}>`}>
        ${account.usage == null ? html`<${Unavailable} what="Usage" />`
          : account.usage.length === 0 ? html`<${Empty} title="No metered usage">Metered features of your plan show here against what it includes.</${Empty}>`
          : account.usage.map((m) => html`<${UsageBar} metric=${m} />`)}
      </${Section}>
      <${Section} title="Recent documents" stale=${isStale(stale, "documents")} action=${html`<${Link} href="/documents">Library</${Link}>`}>
        ${account.documents == null ? html`<${Unavailable} what="Documents" />`
          : account.documents.nodes.length === 0 ? html`<${Empty} title="No documents yet">Contracts, reports and invoices we share with you appear here.</${Empty}>`
          : html`<ul class="rows">${account.documents.nodes.map((d) => html`<li>
              <div><a href=${d.downloadUrl} download>${d.name}</a><br /><span class="muted">${label(d.type)} · ${day(d.createdAt)}</span></div>
            </li>`)}</ul>`}
      </${Section}>
    </div>`;
}

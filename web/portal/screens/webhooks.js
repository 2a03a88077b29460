// Webhook endpoints (ADMIN): where the account's systems receive portal events, signed.
// Each endpoint's secret is shown once, here; its last delivery attempts show under it.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Empty, FieldError, Section, Unavailable, day } from "../ui.js";

export const title = "Webhooks";
const EVENTS = [
  ["invoice.created", "Invoice created"], ["invoice.paid", "Invoice paid"],
  ["invoice.payment_failed", "Invoice payment failed"], ["subscription.renewal_upcoming", "Renewal upcoming"],
  ["subscription.changed", "Subscription changed"], ["ticket.status_changed", "Ticket status changed"],
  ["ticket.comment_added", "Ticket comment added"], ["document.added", "Document added"],
  ["member.invited", "Member invited"], ["onboarding.item_completed", "Onboarding item completed"],
];

export function load({ accountId }) {
  return onAccount(accountId, `id webhookEndpoints { id url events enabled disabledReason createdAt
    deliveries(last: 5) { eventId eventType attempt at status latencyMs response delivered } }`);
}

const CREATE = `mutation CreateEndpoint($url: String!, $events: [String!]!, $accountId: ID) {
  createWebhookEndpoint(url: $url, events: $events, accountId: $accountId) {
    secret webhookEndpoint { id url } userErrors { field message code } } }`;
const SEND_TEST = `mutation SendTest($id: ID!, $accountId: ID) { sendTestWebhook(id: $id, accountId: $accountId) { eventId } }`;
const DELETE = `mutation DeleteEndpoint($id: ID!, $accountId: ID) { deleteWebhookEndpoint(id: $id, accountId: $accountId) {
  webhookEndpoint { id } userErrors { field message code } } }`;

function Deliveries({ endpoint }) {
  if (endpoint.deliveries.length === 0) {
    return html`<p class="muted">No deliveries yet: send a test to check that your endpoint answers.</p>`;
  }
  return html`<div class="table-wrap"><table class="deliveries">
    <caption class="sr-only">Last delivery attempts to ${endpoint.url}</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Latency</th></tr></thead>
    <tbody>${endpoint.deliveries.map((d) => html`<tr>
      <td>${new Date(d.at).toLocaleString(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" })}</td>
      <td>${d.eventType}${d.attempt > 1 ? ` (try ${d.attempt})` : ""}</td>
      <td><span class=${d.delivered ? "badge badge-paid" : "badge badge-disabled"} title=${d.response}>${d.status ?? "No answer"}</span></td>
      <td>${Math.round(d.latencyMs)} ms</td></tr>`)}</tbody></table></div>`;
}

export function Screen({ account, session }) {
  const [secret, setSecret] = useState(null);
  const [problems, setProblems] = useState({});
  const [notes, setNotes] = useState({}); // per endpoint: what its last button did
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState(null); // the list read again after a change
  if (!session.isAdmin) {
    return html`<h1>Webhooks</h1><div class="card"><p>Only your account's admins manage webhook endpoints.</p></div>`;
  }
  const endpoints = fresh || account?.webhookEndpoints;
  const refresh = async () => {
    const request = load({ accountId: session.accountId });
    const { data } = await gql(request.query, request.variables);
    const found = request.account(data)?.webhookEndpoints || [];
    setFresh(found);
    return found;
  };
  const create = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    const { data, errors } = await gql(CREATE, { url: form.get("url"), events: form.getAll("events"), accountId: session.accountId });
    setBusy(false);
    const payload = data?.createWebhookEndpoint;
    if (payload?.secret) {
      setSecret({ url: payload.webhookEndpoint.url, value: payload.secret });
      event.target.reset();
      setProblems({});
      return refresh(); // the secret stays on screen: this screen is not drawn anew
    }
    setProblems(payload ? byField(payload.userErrors) : { "": errors[0]?.message || "The endpoint could not be added." });
  };
  const sendTest = async (endpoint) => {
    const { data, errors } = await gql(SEND_TEST, { id: endpoint.id, accountId: session.accountId });
    setNotes({ ...notes, [endpoint.id]: data?.sendTestWebhook
      ? "Test event queued: its delivery shows below within a few seconds."
      : errors[0]?.message || "The test could not be sent." });
    const eventId = data?.sendTestWebhook?.eventId;
    // Read the log again until the test's first attempt is in it (or 20 s went by).
    for (let tries = 0; eventId && tries < 10; tries++) {
      await new Promise((done) => setTimeout(done, 2000));
      const found = (await refresh()).find((x) => x.id === endpoint.id);
      if (!found || found.deliveries.some((d) => d.eventId === eventId)) break;
    }
  };
  const remove = async (endpoint) => {
    if (!confirm(`Delete the endpoint ${endpoint.url}? It gets no more events, and its delivery log goes.`)) return;
    await gql(DELETE, { id: endpoint.id, accountId: session.accountId });
    setSecret(null);
    await refresh();
  };
  const invalid = (name) => problems[name] ? { "aria-invalid": "true", "aria-describedby": `hook-${name}-error` } : {};
  return html`<h1>Webhooks</h1>
    <p class="lede">Your systems get a signed HTTPS request when something changes on this account. Verify it with the endpoint's secret (Standard Webhooks).</p>
    ${secret && html`<div class="card secret" role="status">
      <p><strong>Copy the signing secret of ${secret.url} now: it is not shown again.</strong></p>
      <p><code class="token-secret">${secret.value}</code></p>
      <button class="secondary" onClick=${() => navigator.clipboard?.writeText(secret.value)}>Copy</button>
    </div>`}
    <${Section} title="New endpoint">
      <form class="stack" onSubmit=${create}>
        <div class="field"><label for="hook-url">URL</label>
          <input id="hook-url" name="url" type="url" required maxlength="2000" placeholder="https://example.com/portal-events" ...${invalid("url")} />
          <${FieldError} id="hook-url-error" message=${problems.url} /></div>
        <fieldset class="events" ...${problems.events ? { "aria-describedby": "hook-events-error" } : {}}>
          <legend>Events</legend>
          ${EVENTS.map(([value, text]) => html`<label class="check"><input type="checkbox" name="events" value=${value} /> ${text}</label>`)}
          <${FieldError} id="hook-events-error" message=${problems.events} />
        </fieldset>
        <${FieldError} id="hook-error" message=${problems[""]} />
        <div class="actions"><button class="primary" type="submit" disabled=${busy}>Add endpoint</button></div>
      </form>
    </${Section}>
    <${Section} title="Endpoints">
      ${endpoints == null ? html`<${Unavailable} what="Webhook endpoints" />`
        : endpoints.length === 0 ? html`<${Empty} title="No endpoints yet">Add one to have your own systems told of new invoices, ticket changes and documents as they happen.</${Empty}>`
        : html`<ul class="hooks">${endpoints.map((e) => html`<li class="hook">
            <div class="section-head"><h3>${e.url}</h3>${e.enabled ? html`<span class="badge badge-active">On</span>` : html`<span class="badge badge-disabled">Off</span>`}</div>
            <p class="muted">${e.events.join(", ")} · added ${day(e.createdAt)}${e.disabledReason ? ` · ${e.disabledReason}` : ""}</p>
            <div class="actions">
              <button class="secondary" onClick=${() => sendTest(e)}>Send test<span class="sr-only"> to ${e.url}</span></button>
              <button class="danger" onClick=${() => remove(e)}>Delete<span class="sr-only"> ${e.url}</span></button>
            </div>
            ${notes[e.id] && html`<p role="status">${notes[e.id]}</p>`}
            <h4>Last deliveries</h4>
            <${Deliveries} endpoint=${e} />
          </li>`)}</ul>`}
    </${Section}>`;
}

// Webhook endpoints (ADMIN): where the account's systems receive portal events, signed.
// An endpoint's secret is shown once, here, when it is added or rotated; after a rotation the
// old secret signs beside the new one for a day, so a receiver can switch without a loss.
// Its last delivery attempts show under it.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
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
  return onAccount(accountId, `id webhookEndpoints { id url events enabled disabledReason createdAt previousSecretExpiresAt
    deliveries(last: 5) { eventId eventType attempt at status latencyMs response delivered } }`);
}

const ERRORS = "userErrors { field message code }";
const CREATE = `mutation CreateEndpoint($url: String!, $events: [String!]!, $accountId: ID) {
  createWebhookEndpoint(url: $url, events: $events, accountId: $accountId) {
    secret webhookEndpoint { id url } userErrors { field message code } } }`;
const UPDATE = `mutation UpdateEndpoint($id: ID!, $url: String, $events: [String!], $enabled: Boolean, $accountId: ID) {
  updateWebhookEndpoint(id: $id, url: $url, events: $events, enabled: $enabled, accountId: $accountId) {
    webhookEndpoint { id } ${ERRORS} } }`;
const ROTATE = `mutation RotateSecret($id: ID!, $accountId: ID) { rotateWebhookSecret(id: $id, accountId: $accountId) {
  secret webhookEndpoint { id previousSecretExpiresAt } ${ERRORS} } }`;
const SEND_TEST = `mutation SendTest($id: ID!, $accountId: ID) { sendTestWebhook(id: $id, accountId: $accountId) { eventId } }`;
const DELETE = `mutation DeleteEndpoint($id: ID!, $accountId: ID) { deleteWebhookEndpoint(id: $id, accountId: $accountId) {
  webhookEndpoint { id } userErrors { field message code } } }`;

const moment = (iso) => new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

/** A mutation's payload, or the messages by field ("" for the whole) when it was refused. */
async function send(query, variables) {
  const { data, errors } = await gql(query, variables);
  const payload = data && Object.values(data)[0];
  if (payload && (payload.userErrors || []).length === 0) return { payload };
  return { problems: payload ? byField(payload.userErrors) : { "": errors[0]?.message || "Not saved: try again." } };
}

/** A secret, shown this once: copied by the button (or selected, where copying is refused). */
function SecretShown({ heading, value, focus = false, children }) {
  const [copied, setCopied] = useState(false);
  const code = useRef(null);
  const button = useRef(null);
  // Where the secret replaces the panel that asked for it, focus would fall to the page.
  useEffect(() => { if (focus) button.current?.focus(); }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      getSelection().selectAllChildren(code.current); // the person copies it themselves
    }
  };
  return html`<div class="card secret" role="status">
    <p><strong>${heading}</strong></p>
    <p><code class="token-secret" ref=${code}>${value}</code></p>
    ${children}
    <button class="secondary" type="button" onClick=${copy} ref=${button}>${copied ? "Copied" : "Copy"}</button>
  </div>`;
}

/** The URL and events of an endpoint, new (`endpoint` null) or as it is; problems beside each. */
function EndpointFields({ prefix, problems, endpoint }) {
  const invalid = (name) => problems[name] ? { "aria-invalid": "true", "aria-describedby": `${prefix}-${name}-error` } : {};
  return html`<div class="field"><label for=${`${prefix}-url`}>URL</label>
      <input id=${`${prefix}-url`} name="url" type="url" required maxlength="2000" placeholder="https://example.com/portal-events"
        defaultValue=${endpoint?.url} ...${invalid("url")} />
      <${FieldError} id=${`${prefix}-url-error`} message=${problems.url} /></div>
    <fieldset class="events" ...${problems.events ? { "aria-describedby": `${prefix}-events-error` } : {}}>
      <legend>Events</legend>
      ${EVENTS.map(([value, text]) => html`<label class="check"><input type="checkbox" name="events" value=${value}
        defaultChecked=${endpoint?.events.includes(value)} /> ${text}</label>`)}
      <${FieldError} id=${`${prefix}-events-error`} message=${problems.events} />
    </fieldset>`;
}

function Edit({ endpoint, n, session, onSaved, onCancel }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  useEffect(() => { form.current?.querySelector("input")?.focus(); }, []);
  const save = async (event) => {
    event.preventDefault();
    const fields = new FormData(event.target);
    setBusy(true);
    const { problems: refused } = await send(UPDATE, {
      id: endpoint.id, url: fields.get("url"), events: fields.getAll("events"), accountId: session.accountId,
    });
    setBusy(false);
    if (refused) return setProblems(refused);
    onSaved("Saved: new events go to it as it is now.");
  };
  return html`<form class="hook-panel stack" id=${`hook${n}-edit`} aria-label=${`Edit ${endpoint.url}`} onSubmit=${save} ref=${form}>
    <${EndpointFields} prefix=${`hook${n}`} problems=${problems} endpoint=${endpoint} />
    <${FieldError} id=${`hook${n}-error`} message=${problems[""]} />
    <div class="actions"><button class="primary" type="submit" disabled=${busy}>Save changes</button>
      <button class="secondary" type="button" onClick=${onCancel}>Cancel</button></div>
  </form>`;
}

/** Asks before rotating, saying what happens to the secret the receiver has now. */
function Rotate({ endpoint, n, busy, onRotate, onCancel }) {
  const panel = useRef(null);
  useEffect(() => { panel.current?.focus(); }, []);
  return html`<div class="hook-panel" id=${`hook${n}-rotate`} role="group" aria-labelledby=${`hook${n}-rotate-title`} tabindex="-1" ref=${panel}>
    <p id=${`hook${n}-rotate-title`}><strong>Rotate the signing secret of ${endpoint.url}?</strong></p>
    <p>You get a new secret, shown once. For the next 24 hours every delivery is signed with both
      the old and the new secret, so your receiver keeps accepting deliveries while you switch it
      to the new one. After that, only the new secret signs.</p>
    ${endpoint.previousSecretExpiresAt && html`<p>The secret before the current one, which still signs until
      ${moment(endpoint.previousSecretExpiresAt)}, stops at once.</p>`}
    <div class="actions"><button class="primary" type="button" disabled=${busy} onClick=${onRotate}>Rotate secret now</button>
      <button class="secondary" type="button" onClick=${onCancel}>Cancel</button></div>
  </div>`;
}

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
  const [secret, setSecret] = useState(null); // a new endpoint's, shown at the top
  const [rotated, setRotated] = useState(null); // {id, value, until}: shown in its endpoint
  const [problems, setProblems] = useState({});
  const [notes, setNotes] = useState({}); // per endpoint: what its last button did
  const [open, setOpen] = useState(null); // {id, panel: "edit" | "rotate"}
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
  const note = (endpoint, text) => setNotes((before) => ({ ...before, [endpoint.id]: text }));
  const toggle = (endpoint, panel) => {
    setOpen(open?.id === endpoint.id && open.panel === panel ? null : { id: endpoint.id, panel });
    note(endpoint, null);
  };
  const create = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    const { data, errors } = await gql(CREATE, { url: form.get("url"), events: form.getAll("events"), accountId: session.accountId });
    setBusy(false);
    const payload = data?.createWebhookEndpoint;
    if (payload?.secret) {
      setSecret({ id: payload.webhookEndpoint.id, url: payload.webhookEndpoint.url, value: payload.secret });
      event.target.reset();
      setProblems({});
      return refresh(); // the secret stays on screen: this screen is not drawn anew
    }
    setProblems(payload ? byField(payload.userErrors) : { "": errors[0]?.message || "The endpoint could not be added." });
  };
  const sendTest = async (endpoint) => {
    const { data, errors } = await gql(SEND_TEST, { id: endpoint.id, accountId: session.accountId });
    note(endpoint, data?.sendTestWebhook
      ? "Test event queued: its delivery shows below within a few seconds."
      : errors[0]?.message || "The test could not be sent.");
    const eventId = data?.sendTestWebhook?.eventId;
    // Read the log again until the test's first attempt is in it (or 20 s went by).
    for (let tries = 0; eventId && tries < 10; tries++) {
      await new Promise((done) => setTimeout(done, 2000));
      const found = (await refresh()).find((x) => x.id === endpoint.id);
      if (!found || found.deliveries.some((d) => d.eventId === eventId)) break;
    }
  };
  const saved = async (endpoint, text) => {
    setOpen(null);
    note(endpoint, text);
    await refresh();
  };
  const switchOnOff = async (endpoint) => {
    if (endpoint.enabled && !confirm(`Turn off ${endpoint.url}? Events that happen while it is off are not sent to it, not even later.`)) return;
    setBusy(true);
    const { problems: refused } = await send(UPDATE, { id: endpoint.id, enabled: !endpoint.enabled, accountId: session.accountId });
    setBusy(false);
    if (refused) return note(endpoint, Object.values(refused).join(" "));
    await saved(endpoint, endpoint.enabled ? "Turned off." : "Turned on: new events go to it again.");
  };
  const rotate = async (endpoint) => {
    setBusy(true);
    const { payload, problems: refused } = await send(ROTATE, { id: endpoint.id, accountId: session.accountId });
    setBusy(false);
    if (refused) return note(endpoint, Object.values(refused).join(" "));
    setRotated({ id: endpoint.id, value: payload.secret, until: payload.webhookEndpoint.previousSecretExpiresAt });
    if (secret?.id === endpoint.id) setSecret(null); // that one is the old secret now
    await saved(endpoint, null);
  };
  const remove = async (endpoint) => {
    if (!confirm(`Delete the endpoint ${endpoint.url}? It gets no more events, and its delivery log goes.`)) return;
    await gql(DELETE, { id: endpoint.id, accountId: session.accountId });
    setSecret(null);
    setRotated(null);
    await refresh();
  };
  // A plain function, not a component: a component made anew in each render would be a new
  // type each time, and its open form would lose what was typed at every change of state.
  const endpointItem = (e, n) => {
    const shown = (panel) => open?.id === e.id && open.panel === panel;
    const expands = (panel) => ({ "aria-expanded": shown(panel) ? "true" : "false", "aria-controls": shown(panel) ? `hook${n}-${panel}` : undefined });
    return html`<li class="hook" key=${e.id}>
      <div class="section-head"><h3>${e.url}</h3>${e.enabled ? html`<span class="badge badge-active">On</span>` : html`<span class="badge badge-disabled">Off</span>`}</div>
      <p class="muted">${e.events.join(", ")} · added ${day(e.createdAt)}</p>
      ${!e.enabled && html`<p class="banner"><strong>Not receiving events:</strong> ${e.disabledReason || "turned off"}. Events that happen while it is off are not sent to it; turn it on again once it answers.</p>`}
      ${e.previousSecretExpiresAt && html`<p class="muted">Signed with the previous secret too, until ${moment(e.previousSecretExpiresAt)}.</p>`}
      <div class="actions">
        ${e.enabled && html`<button class="secondary" disabled=${busy} onClick=${() => sendTest(e)}>Send test<span class="sr-only"> to ${e.url}</span></button>`}
        <button class="secondary" ...${expands("edit")} onClick=${() => toggle(e, "edit")}>Edit<span class="sr-only"> ${e.url}</span></button>
        <button class="secondary" disabled=${busy} onClick=${() => switchOnOff(e)}>${e.enabled ? "Turn off" : "Turn on"}<span class="sr-only"> ${e.url}</span></button>
        <button class="secondary" ...${expands("rotate")} onClick=${() => toggle(e, "rotate")}>Rotate secret<span class="sr-only"> of ${e.url}</span></button>
        <button class="danger" onClick=${() => remove(e)}>Delete<span class="sr-only"> ${e.url}</span></button>
      </div>
      ${shown("edit") && html`<${Edit} endpoint=${e} n=${n} session=${session} onSaved=${(text) => saved(e, text)} onCancel=${() => setOpen(null)} />`}
      ${shown("rotate") && html`<${Rotate} endpoint=${e} n=${n} busy=${busy} onRotate=${() => rotate(e)} onCancel=${() => setOpen(null)} />`}
      ${rotated?.id === e.id && html`<${SecretShown} heading=${`Copy the new signing secret of ${e.url} now: it is not shown again.`} value=${rotated.value} focus=${true}>
        <p>${rotated.until ? `Until ${moment(rotated.until)}, each delivery is signed with both the old and the new secret: switch your receiver to the new one before then.`
          : "Only the new secret signs from now on."}</p></${SecretShown}>`}
      ${notes[e.id] && html`<p role="status">${notes[e.id]}</p>`}
      <h4>Last deliveries</h4>
      <${Deliveries} endpoint=${e} />
    </li>`;
  };
  return html`<h1>Webhooks</h1>
    <p class="lede">Your systems get a signed HTTPS request when something changes on this account. Verify it with the endpoint's secret (Standard Webhooks).</p>
    ${secret && html`<${SecretShown} value=${secret.value}
      heading=${`Copy the signing secret of ${endpoints?.find((e) => e.id === secret.id)?.url || secret.url} now: it is not shown again.`} />`}
    <${Section} title="New endpoint">
      <form class="stack" onSubmit=${create}>
        <${EndpointFields} prefix="hook" problems=${problems} endpoint=${null} />
        <${FieldError} id="hook-error" message=${problems[""]} />
        <div class="actions"><button class="primary" type="submit" disabled=${busy}>Add endpoint</button></div>
      </form>
    </${Section}>
    <${Section} title="Endpoints">
      ${endpoints == null ? html`<${Unavailable} what="Webhook endpoints" />`
        : endpoints.length === 0 ? html`<${Empty} title="No endpoints yet">Add one to have your own systems told of new invoices, ticket changes and documents as they happen.</${Empty}>`
        : html`<ul class="hooks">${endpoints.map(endpointItem)}</ul>`}
    </${Section}>`;
}

// Support tickets: the account's tickets with status, team and estimate, changed in place
// as Zendesk changes them (a live stream); open a new one.
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Announcement, useLive } from "../live.js";
import { Badge, Empty, FieldError, Link, Section, Unavailable, day, isStale, label, navigate } from "../ui.js";

export const title = "Support";
const OPEN = ["NEW", "OPEN", "PENDING", "ON_HOLD"];
const CATEGORIES = ["BILLING", "TECHNICAL", "ONBOARDING", "ACCOUNT"];
const PRIORITIES = ["LOW", "NORMAL", "HIGH", "URGENT"];

export function load({ accountId, search }) {
  const all = search.get("show") === "all";
  return onAccount(accountId, `id tickets(first: 50, status: $status) {
      nodes { id number subject status priority group updatedAt estimatedResolutionAt } }`, {
    defs: ", $status: [TicketStatus!]",
    variables: { status: all ? null : OPEN },
  });
}

const UPDATED = `subscription TicketListUpdates($accountId: ID!) { ticketUpdated(accountId: $accountId) {
  id number subject status priority group updatedAt estimatedResolutionAt } }`;

/** The list as shown, kept current by the account's ticket stream; what changed, in words. */
function useLiveTickets(account, session, search, all) {
  const [nodes, setNodes] = useState(account?.tickets?.nodes || null);
  useEffect(() => setNodes(account?.tickets?.nodes || null), [account]); // read again by the app
  const [said, setSaid] = useState("");
  const heard = useRef(0); // events so far: a read that began before one is older than it
  const changed = ({ ticketUpdated: ticket }) => {
    heard.current += 1;
    setNodes((shown) => {
      const before = shown?.find((t) => t.id === ticket.id);
      if (before) {
        if (before.status !== ticket.status) setSaid(`Ticket #${ticket.number} is now ${label(ticket.status)}`);
        return shown.map((t) => (t.id === ticket.id ? ticket : t)); // in place: no row moves under a finger
      }
      if (!shown || !(all || OPEN.includes(ticket.status))) return shown;
      setSaid(`New ticket #${ticket.number}: ${ticket.subject}`);
      return [ticket, ...shown];
    });
  };
  const catchUp = async () => { // what changed while the stream could not say
    const request = load({ accountId: session.accountId, search });
    const before = heard.current;
    const { data, stale } = await gql(request.query, request.variables);
    if (heard.current !== before) return false; // an event came meanwhile: read again after it
    const fresh = request.account(data)?.tickets?.nodes;
    if (!fresh || isStale(stale, "tickets")) return false; // not yet: Zendesk is still away
    setNodes(fresh);
    return true;
  };
  useLive("TicketListUpdates", UPDATED, account && { accountId: account.id }, changed, catchUp);
  return [nodes, said];
}

const CREATE = `mutation Create($input: CreateTicketInput!) { createTicket(input: $input) {
  ticket { id number } userErrors { field message code } } }`;

function NewTicket({ session, onCancel }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target));
    setBusy(true);
    const input = { ...form, ...(session.accountId ? { accountId: session.accountId } : {}) };
    const { data, errors } = await gql(CREATE, { input });
    setBusy(false);
    const payload = data?.createTicket;
    if (payload?.ticket) return navigate("/tickets/" + encodeURIComponent(payload.ticket.id));
    setProblems(payload ? byField(payload.userErrors) : { "": errors[0]?.message || "The ticket could not be opened." });
  };
  const field = (name, text, control) => html`<div class="field">
    <label for=${"t-" + name}>${text}</label>${control}<${FieldError} id=${"t-" + name + "-error"} message=${problems[name]} /></div>`;
  return html`<${Section} title="New ticket">
    <form class="stack" onSubmit=${submit}>
      ${field("subject", "Subject", html`<input id="t-subject" name="subject" required maxlength="150" aria-invalid=${problems.subject ? "true" : undefined} aria-describedby=${problems.subject ? "t-subject-error" : undefined} />`)}
      ${field("description", "What do you need?", html`<textarea id="t-description" name="description" required rows="5" aria-invalid=${problems.description ? "true" : undefined} aria-describedby=${problems.description ? "t-description-error" : undefined}></textarea>`)}
      <div class="row">
        ${field("category", "About", html`<select id="t-category" name="category">${CATEGORIES.map((c) => html`<option value=${c}>${label(c)}</option>`)}</select>`)}
        ${field("priority", "Priority", html`<select id="t-priority" name="priority" value="NORMAL">${PRIORITIES.map((p) => html`<option value=${p}>${label(p)}</option>`)}</select>`)}
      </div>
      <${FieldError} id="t-error" message=${problems[""]} />
      <div class="actions"><button class="primary" type="submit" disabled=${busy}>Open ticket</button>
        <button class="secondary" type="button" onClick=${onCancel}>Cancel</button></div>
    </form></${Section}>`;
}

export function Screen({ account, stale, search, session }) {
  const [creating, setCreating] = useState(search.get("new") === "1");
  const all = search.get("show") === "all";
  const [tickets, said] = useLiveTickets(account, session, search, all);
  return html`<h1>Support</h1>
    <${Announcement} text=${said} />
    ${session.canEdit && !creating && html`<p><button class="primary" onClick=${() => setCreating(true)}>New ticket</button></p>`}
    ${creating && html`<${NewTicket} session=${session} onCancel=${() => setCreating(false)} />`}
    <${Section} title=${all ? "All tickets" : "Open tickets"} stale=${isStale(stale, "tickets")}
      action=${html`<${Link} href=${all ? "/tickets" : "/tickets?show=all"}>${all ? "Only open" : "Show all"}</${Link}>`}>
      ${tickets == null ? html`<${Unavailable} what="Tickets" />`
        : tickets.length === 0 ? html`<${Empty} title=${all ? "No tickets yet" : "No open tickets"}>Ask our support team about billing, technical issues, onboarding or your account; your tickets and their answers show here.</${Empty}>`
        : html`<ul class="rows">${tickets.map((t) => html`<li>
            <div><${Link} href=${"/tickets/" + encodeURIComponent(t.id)}>#${t.number} ${t.subject}</${Link}>
              <br /><span class="muted">${t.group || "Support"} · updated ${day(t.updatedAt)}</span></div>
            <div class="end"><${Badge} value=${t.status} />${t.estimatedResolutionAt && html`<br /><span class="muted">Expected ${day(t.estimatedResolutionAt)}</span>`}</div>
          </li>`)}</ul>`}
    </${Section}>`;
}

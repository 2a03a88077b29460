// One ticket: its public comments, oldest first, and a reply box; a new status or reply
// from the support team shows as it happens (the account's ticket stream).
import { html, useEffect, useRef, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql } from "../graphql.js";
import { Announcement, useLive } from "../live.js";
import { Badge, Empty, FieldError, Link, Section, day, label } from "../ui.js";

export const title = "Ticket";

export function load({ params }) {
  return {
    query: `query Ticket($id: ID!) { node(id: $id) { ... on Ticket { id number subject status priority group
      createdAt estimatedResolutionAt requester { name } comments { id body createdAt author { name } } } } }`,
    variables: { id: params.id },
    account: (data) => data?.node,
  };
}

// The chosen account's stream, for this one ticket (the account's tickets are what the
// screens list, so a ticket opened from them is the chosen account's). The event only says
// which ticket changed: the screen reads it again, comments and all, as a query reads it.
const UPDATED = `subscription TicketUpdates($accountId: ID!) { ticketUpdated(accountId: $accountId) { id } }`;

/** What changed between two copies of the ticket, in words ("" for nothing to say). */
function news(before, after) {
  const known = new Set(before.comments.map((c) => c.id));
  const replies = after.comments.filter((c) => !known.has(c.id));
  return [
    before.status !== after.status && `Ticket #${after.number} is now ${label(after.status)}`,
    ...replies.map((c) => `New reply from ${c.author?.name || "Support"}`),
  ].filter(Boolean).join(". ");
}

function useLiveTicket(loaded, session, params) {
  const [ticket, setTicket] = useState(loaded);
  useEffect(() => setTicket(loaded), [loaded]); // read again by the app (after a comment)
  const [said, setSaid] = useState("");
  const reads = useRef(0);
  const readAgain = async () => {
    const request = load({ params });
    const mine = ++reads.current;
    const { data, stale } = await gql(request.query, request.variables);
    const fresh = request.account(data);
    if (mine !== reads.current) return true; // a later read is on its way: this one is old news
    if (!fresh || stale.length) return false; // the ticket as shown stays until Zendesk answers
    setTicket((shown) => {
      const text = news(shown, fresh);
      if (text) setSaid(text);
      return fresh;
    });
    return true;
  };
  const changed = ({ ticketUpdated: { id } }) => { if (id === loaded.id) readAgain(); };
  const accountId = loaded && session.account?.id;
  // Read again, too, what changed while the stream could not say.
  useLive("TicketUpdates", UPDATED, accountId && { accountId }, changed, readAgain);
  return [ticket, said];
}

const COMMENT = `mutation Comment($input: AddTicketCommentInput!) { addTicketComment(input: $input) {
  ticket { id } userErrors { field message } } }`;

export function Screen({ account: loaded, result, session, reload, params }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const [ticket, said] = useLiveTicket(loaded, session, params);
  if (!ticket) {
    const missing = result.errors.some((e) => e.extensions?.code === "NOT_FOUND");
    return html`<h1>Ticket</h1><${Empty} title=${missing ? "No such ticket" : "This ticket could not be loaded"}>
      <${Link} href="/tickets">Back to your tickets</${Link}></${Empty}>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    const body = new FormData(event.target).get("body");
    const { data, errors } = await gql(COMMENT, { input: { ticketId: ticket.id, body } });
    setBusy(false);
    const payload = data?.addTicketComment;
    if (payload?.ticket && payload.userErrors.length === 0) return reload();
    setProblems(payload ? byField(payload.userErrors) : { body: errors[0]?.message });
  };
  return html`<p><${Link} href="/tickets">← All tickets</${Link}></p>
    <${Announcement} text=${said} />
    <h1>#${ticket.number} ${ticket.subject}</h1>
    <p class="lede"><${Badge} value=${ticket.status} /> ${label(ticket.priority)} priority · ${ticket.group || "Support"}
      ${ticket.estimatedResolutionAt && html` · expected by ${day(ticket.estimatedResolutionAt)}`}</p>
    <${Section} title="Conversation">
      ${ticket.comments.length === 0 ? html`<${Empty} title="No messages yet">Replies from our team show here.</${Empty}>`
        : html`<ol class="thread">${ticket.comments.map((c) => html`<li class="comment">
            <p class="muted">${c.author?.name || "Support"} · ${day(c.createdAt)}</p><p class="comment-body">${c.body}</p></li>`)}</ol>`}
      ${session.canEdit && html`<form class="stack" onSubmit=${submit}>
        <label for="comment-body">Add a comment</label>
        <textarea id="comment-body" name="body" rows="4" required aria-invalid=${problems.body ? "true" : undefined} aria-describedby=${problems.body ? "comment-error" : undefined}></textarea>
        <${FieldError} id="comment-error" message=${problems.body || problems[""]} />
        <div class="actions"><button class="primary" type="submit" disabled=${busy}>Send</button></div>
      </form>`}
    </${Section}>`;
}

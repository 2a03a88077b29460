// One ticket: its public comments, oldest first, and a reply box.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql } from "../graphql.js";
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

const COMMENT = `mutation Comment($input: AddTicketCommentInput!) { addTicketComment(input: $input) {
  ticket { id } userErrors { field message } } }`;

export function Screen({ account: ticket, result, session, reload }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
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

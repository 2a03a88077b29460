// Team: the people of the account who can use the portal. ADMINs invite people, change roles,
// deactivate, reactivate and remove them; a rule's message shows beside the control used.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Badge, Empty, FieldError, Section, Unavailable, day, isStale, label } from "../ui.js";

export const title = "Team";
const ROLES = ["ADMIN", "USER", "READ_ONLY"];

export function load({ accountId }) {
  return onAccount(accountId, `id team(first: 100) { totalCount
    nodes { id name email jobTitle role status invitedAt invitedBy lastSignInAt } }`);
}

const PAYLOAD = "member { id role status } userErrors { field message code }";
const INVITE = `mutation Invite($input: InviteMemberInput!) { inviteMember(input: $input) { ${PAYLOAD} } }`;
const CHANGE_ROLE = `mutation ChangeRole($memberId: ID!, $role: TeamRole!) {
  changeMemberRole(memberId: $memberId, role: $role) { ${PAYLOAD} } }`;
const byMember = (name, field) => `mutation ${name}($memberId: ID!) { ${field}(memberId: $memberId) { ${PAYLOAD} } }`;

// What each button does: its mutation, its text (the member's name is added for screen
// readers), the question asked first where it takes something away, and what it says once done.
const ACTIONS = {
  resend: { query: byMember("Resend", "resendInvitation"), text: "Resend invitation", to: " to ",
    done: (n) => `A new invitation went to ${n}; the earlier link no longer works.` },
  revoke: { query: byMember("Revoke", "revokeInvitation"), text: "Revoke invitation", to: " of ",
    ask: (n) => `Revoke the invitation of ${n}? Their link stops working at once.`, done: (n) => `The invitation of ${n} is revoked.` },
  deactivate: { query: byMember("Deactivate", "deactivateMember"), text: "Deactivate", to: " ",
    ask: (n) => `Deactivate ${n}? They are signed out at once.`, done: (n) => `${n} is deactivated.` },
  reactivate: { query: byMember("Reactivate", "reactivateMember"), text: "Reactivate", to: " ",
    done: (n) => `${n} is active again.` },
  remove: { query: byMember("Remove", "removeMember"), text: "Remove", to: " ",
    ask: (n) => `Remove ${n} from this account? Their other accounts stay as they are.`, done: (n) => `${n} is removed from this account.` },
};
const BY_STATUS = { INVITED: ["resend", "revoke"], ACTIVE: ["deactivate", "remove"], DISABLED: ["reactivate", "remove"] };

/** A mutation's outcome: null when it went through, else the message(s) to show. */
async function send(query, variables) {
  const { data, errors } = await gql(query, variables);
  const payload = data && Object.values(data)[0];
  if (payload && payload.userErrors.length === 0) return null;
  return payload ? payload.userErrors : [{ field: null, message: errors[0]?.message || "Not saved: try again." }];
}

function Invite({ session, onDone, onCancel }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target));
    setBusy(true);
    const input = { ...form, ...(session.accountId ? { accountId: session.accountId } : {}) };
    const failed = await send(INVITE, { input });
    setBusy(false);
    if (!failed) return onDone(`An invitation went to ${form.email}.`);
    setProblems(byField(failed));
  };
  const field = (name, text, control) => html`<div class="field">
    <label for=${"inv-" + name}>${text}</label>${control}<${FieldError} id=${"inv-" + name + "-error"} message=${problems[name]} /></div>`;
  const invalid = (name) => ({ "aria-invalid": problems[name] ? "true" : undefined, "aria-describedby": problems[name] ? `inv-${name}-error` : undefined });
  return html`<${Section} title="Invite someone">
    <form class="stack" onSubmit=${submit}>
      ${field("email", "Work email", html`<input id="inv-email" name="email" type="email" required autocomplete="off" ...${invalid("email")} />`)}
      <div class="row">
        ${field("firstName", "First name", html`<input id="inv-firstName" name="firstName" required maxlength="100" autocomplete="off" ...${invalid("firstName")} />`)}
        ${field("lastName", "Last name", html`<input id="inv-lastName" name="lastName" required maxlength="100" autocomplete="off" ...${invalid("lastName")} />`)}
      </div>
      ${field("role", "Role", html`<select id="inv-role" name="role" value="USER" ...${invalid("role")}>${ROLES.map((r) => html`<option value=${r}>${label(r)}</option>`)}</select>`)}
      <${FieldError} id="inv-error" message=${problems[""]} />
      <div class="actions"><button class="primary" type="submit" disabled=${busy}>Send invitation</button>
        <button class="secondary" type="button" onClick=${onCancel}>Cancel</button></div>
    </form></${Section}>`;
}

/** One member's controls: their role, and what their status allows. */
function Manage({ m, n, busy, problem, run }) {
  const errorId = (control) => `m${n}-${control}-error`;
  const described = (control) => (problem?.control === control ? errorId(control) : undefined);
  const changeRole = (event) => {
    event.preventDefault();
    const role = new FormData(event.target).get("role");
    run(m, "role", CHANGE_ROLE, { memberId: m.id, role }, `${m.name} is now ${label(role)}.`);
  };
  const act = (key) => {
    const action = ACTIONS[key];
    if (action.ask && !confirm(action.ask(m.name))) return;
    run(m, key, action.query, { memberId: m.id }, action.done(m.name));
  };
  return html`<div class="manage" id=${`m${n}-manage`}>
    <form class="manage-role" onSubmit=${changeRole}>
      <div class="field"><label for=${`m${n}-role`}>Role<span class="sr-only"> of ${m.name}</span></label>
        <select id=${`m${n}-role`} name="role" value=${m.role} aria-invalid=${described("role") ? "true" : undefined} aria-describedby=${described("role")}>
          ${ROLES.map((r) => html`<option value=${r}>${label(r)}</option>`)}</select></div>
      <button class="secondary" type="submit" disabled=${busy}>Change role<span class="sr-only"> of ${m.name}</span></button>
    </form>
    <${FieldError} id=${errorId("role")} message=${problem?.control === "role" ? problem.message : null} />
    <div class="actions">${(BY_STATUS[m.status] || []).map((key) => html`
      <button class=${ACTIONS[key].ask ? "danger" : "secondary"} type="button" disabled=${busy} aria-describedby=${described(key)}
        onClick=${() => act(key)}>${ACTIONS[key].text}<span class="sr-only">${ACTIONS[key].to}${m.name}</span></button>`)}</div>
    ${Object.keys(ACTIONS).map((key) => html`<${FieldError} id=${errorId(key)} message=${problem?.control === key ? problem.message : null} />`)}
  </div>`;
}

export function Screen({ account, stale, session }) {
  const [fresh, setFresh] = useState(null); // the team read again after a change
  const [inviting, setInviting] = useState(false);
  const [open, setOpen] = useState(null); // the member whose controls are shown
  const [problem, setProblem] = useState(null); // {id, control, message}
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const team = fresh || account?.team;
  const refresh = async () => {
    const request = load({ accountId: session.accountId });
    const { data } = await gql(request.query, request.variables);
    const found = request.account(data)?.team;
    if (found) setFresh(found);
  };
  const run = async (m, control, query, variables, done) => {
    setBusy(true); setProblem(null); setNotice(null);
    const failed = await send(query, variables);
    if (failed) setProblem({ id: m.id, control, message: failed.map((e) => e.message).join(" ") });
    else { setNotice(done); await refresh(); }
    setBusy(false);
  };
  const invited = async (message) => {
    setInviting(false); setNotice(message); await refresh();
  };
  return html`<h1>Team</h1>
    ${session.isAdmin && !inviting && html`<p><button class="primary" onClick=${() => { setInviting(true); setNotice(null); }}>Invite someone</button></p>`}
    ${inviting && html`<${Invite} session=${session} onDone=${invited} onCancel=${() => setInviting(false)} />`}
    <${Section} title=${team?.totalCount != null ? `${team.totalCount} people` : "People"} id="team-people" stale=${isStale(stale, "team")}>
      ${notice && html`<p role="status" class="saved">${notice}</p>`}
      ${team == null ? html`<${Unavailable} what="The team" />`
        : team.nodes.length === 0 ? html`<${Empty} title="No one here yet">The people of your company who can use this portal are listed here.</${Empty}>`
        : html`<ul class="rows">${team.nodes.map((m, n) => {
            const me = m.email && m.email === session.member?.email;
            const shown = open === m.id;
            return html`<li class="member"><div class="member-head">
              <div><strong>${m.name}</strong>${me && html` <span class="muted">(you)</span>`}<br /><span class="muted">${[m.jobTitle, m.email].filter(Boolean).join(" · ")}</span>
                <br /><span class="muted">${m.status === "INVITED" ? `Invited${m.invitedAt ? ` ${day(m.invitedAt)}` : ""}${m.invitedBy ? ` by ${m.invitedBy}` : ""}`
                  : m.lastSignInAt ? `Last signed in ${day(m.lastSignInAt)}` : "Not signed in yet"}</span></div>
              <div class="end">${label(m.role)}<br /><${Badge} value=${m.status} />
                ${session.isAdmin && html`<br /><button class="secondary" aria-expanded=${shown} aria-controls=${shown ? `m${n}-manage` : undefined}
                  onClick=${() => { setOpen(shown ? null : m.id); setProblem(null); }}>Manage<span class="sr-only"> ${m.name}</span></button>`}</div></div>
              ${session.isAdmin && shown && html`<${Manage} m=${m} n=${n} busy=${busy} problem=${problem?.id === m.id ? problem : null} run=${run} />`}
            </li>`;
          })}</ul>`}
      ${team != null && !session.isAdmin && html`<p class="muted">Only your account's admins invite people and change the team.</p>`}
    </${Section}>`;
}

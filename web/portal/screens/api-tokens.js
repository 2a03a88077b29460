// API tokens (ADMIN): read-only credentials for BI tools. The secret is shown once, here.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Empty, FieldError, Section, Unavailable, day } from "../ui.js";

export const title = "API tokens";

export function load({ accountId }) {
  return onAccount(accountId, `id apiTokens { id name createdAt expiresAt revokedAt active }`);
}

const CREATE = `mutation Create($name: String!, $expiresAt: DateTime, $accountId: ID) {
  createApiToken(name: $name, expiresAt: $expiresAt, accountId: $accountId) { secret apiToken { id name } } }`;
const REVOKE = `mutation Revoke($id: ID!, $accountId: ID) { revokeApiToken(id: $id, accountId: $accountId) { apiToken { id active } } }`;

export function Screen({ account, session }) {
  const [secret, setSecret] = useState(null);
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const [fresh, setFresh] = useState(null); // the list read again after a change
  if (!session.isAdmin) {
    return html`<h1>API tokens</h1><div class="card"><p>Only your account's admins manage API tokens.</p></div>`;
  }
  const tokens = fresh || account?.apiTokens;
  const refresh = async () => {
    const request = load({ accountId: session.accountId });
    const { data } = await gql(request.query, request.variables);
    setFresh(request.account(data)?.apiTokens || []);
  };
  const create = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    const expires = form.get("expiresAt");
    const { data, errors } = await gql(CREATE, {
      name: form.get("name"), expiresAt: expires ? expires + "T23:59:59Z" : null, accountId: session.accountId,
    });
    setBusy(false);
    if (data?.createApiToken) {
      setSecret({ name: data.createApiToken.apiToken.name, value: data.createApiToken.secret });
      event.target.reset();
      setProblems({});
      return refresh(); // the secret stays on screen: this screen is not drawn anew

    }
    setProblems({ name: errors[0]?.message || "The token could not be created." });
  };
  const revoke = async (token) => {
    if (!confirm(`Revoke “${token.name}”? Tools using it stop working within a minute.`)) return;
    await gql(REVOKE, { id: token.id, accountId: session.accountId });
    setSecret(null);
    await refresh();
  };
  return html`<h1>API tokens</h1>
    <p class="lede">Read-only tokens let a BI tool read this account's data through the API.</p>
    ${secret && html`<div class="card secret" role="status">
      <p><strong>Copy the secret of “${secret.name}” now: it is not shown again.</strong></p>
      <p><code class="token-secret">${secret.value}</code></p>
      <button class="secondary" onClick=${() => navigator.clipboard?.writeText(secret.value)}>Copy</button>
    </div>`}
    <${Section} title="New token">
      <form class="stack" onSubmit=${create}>
        <div class="row"><div class="field grow"><label for="token-name">Name (what uses it)</label>
          <input id="token-name" name="name" required maxlength="100" aria-invalid=${problems.name ? "true" : undefined} aria-describedby=${problems.name ? "token-name-error" : undefined} />
          <${FieldError} id="token-name-error" message=${problems.name} /></div>
        <div class="field"><label for="token-expires">Expires (optional)</label><input id="token-expires" name="expiresAt" type="date" /></div></div>
        <div class="actions"><button class="primary" type="submit" disabled=${busy}>Create token</button></div>
      </form>
    </${Section}>
    <${Section} title="Tokens">
      ${tokens == null ? html`<${Unavailable} what="API tokens" />`
        : tokens.length === 0 ? html`<${Empty} title="No tokens yet">Create one for each tool that reads your data, so that you can revoke it alone.</${Empty}>`
        : html`<ul class="rows">${tokens.map((t) => html`<li>
            <div><strong>${t.name}</strong><br /><span class="muted">Created ${day(t.createdAt)}${t.expiresAt ? ` · expires ${day(t.expiresAt)}` : ""}${t.revokedAt ? ` · revoked ${day(t.revokedAt)}` : ""}</span></div>
            <div class="end">${t.active ? html`<button class="danger" onClick=${() => revoke(t)}>Revoke<span class="sr-only"> ${t.name}</span></button>` : html`<span class="badge">Inactive</span>`}</div>
          </li>`)}</ul>`}
    </${Section}>`;
}

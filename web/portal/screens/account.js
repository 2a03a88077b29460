// Account details: the company's name, phone and billing address. ADMINs edit; others read.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { FieldError, Section, Unavailable, isStale } from "../ui.js";

export const title = "Account details";

export function load({ accountId }) {
  return onAccount(accountId, `id name domain phone tier
    billingAddress { street city postalCode state country }`);
}

const UPDATE = `mutation Update($input: UpdateAccountDetailsInput!) { updateAccountDetails(input: $input) {
  account { id } userErrors { field message code } } }`;

const FIELDS = [
  ["name", "Company name", "organization"],
  ["phone", "Phone", "tel"],
  ["billingAddress.street", "Street", "street-address"],
  ["billingAddress.postalCode", "Postal code", "postal-code"],
  ["billingAddress.city", "City", "address-level2"],
  ["billingAddress.state", "State or region", "address-level1"],
  ["billingAddress.country", "Country (2-letter code)", "country"],
];

function valueOf(account, path) {
  return path.split(".").reduce((v, key) => v?.[key], account) ?? "";
}

function Edit({ account, session, onSaved, onCancel }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target));
    const input = {
      name: form.name, phone: form.phone,
      billingAddress: { street: form["billingAddress.street"], city: form["billingAddress.city"],
        postalCode: form["billingAddress.postalCode"] || null, state: form["billingAddress.state"] || null,
        country: form["billingAddress.country"].toUpperCase() },
      ...(session.accountId ? { accountId: session.accountId } : {}),
    };
    setBusy(true);
    const { data, errors } = await gql(UPDATE, { input });
    setBusy(false);
    const payload = data?.updateAccountDetails;
    const found = payload ? byField(payload.userErrors) : { "": errors[0]?.message || "Not saved." };
    if (payload && payload.userErrors.length === 0) return onSaved();
    setProblems(found);
  };
  return html`<form class="stack" onSubmit=${submit}>
    ${FIELDS.map(([path, text, auto]) => {
      const id = "acct-" + path.replace(".", "-");
      return html`<div class="field"><label for=${id}>${text}</label>
        <input id=${id} name=${path} autocomplete=${auto} value=${valueOf(account, path)}
          aria-invalid=${problems[path] ? "true" : undefined} aria-describedby=${problems[path] ? id + "-error" : undefined} />
        <${FieldError} id=${id + "-error"} message=${problems[path]} /></div>`;
    })}
    <${FieldError} id="acct-error" message=${problems[""]} />
    <div class="actions"><button class="primary" type="submit" disabled=${busy}>Save</button>
      <button class="secondary" type="button" onClick=${onCancel}>Cancel</button></div>
  </form>`;
}

export function Screen({ account, stale, session, reload }) {
  const [editing, setEditing] = useState(false);
  if (!account) return html`<h1>Account details</h1><${Unavailable} what="Account details" />`;
  const a = account.billingAddress;
  return html`<h1>Account details</h1>
    <${Section} title=${account.name} id="account-card" stale=${isStale(stale, "account")}
      action=${session.isAdmin && !editing && html`<button class="secondary" onClick=${() => setEditing(true)}>Edit</button>`}>
      ${editing ? html`<${Edit} account=${account} session=${session} onSaved=${reload} onCancel=${() => setEditing(false)} />`
        : html`<dl class="details">
          <dt>Company</dt><dd>${account.name}</dd>
          <dt>Website</dt><dd>${account.domain || "—"}</dd>
          <dt>Phone</dt><dd>${account.phone || "—"}</dd>
          <dt>Billing address</dt><dd>${[a.street, [a.postalCode, a.city].filter(Boolean).join(" "), a.state, a.country].filter(Boolean).join(", ") || "—"}</dd>
        </dl>
        ${!session.isAdmin && html`<p class="muted">Only your account's admins can change these details.</p>`}`}
    </${Section}>`;
}

// Subscription: the plan, seats, period and next invoice; ADMINs change the plan or seats
// (after seeing what it costs), cancel or resume, and manage the payment methods.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql, onAccount } from "../graphql.js";
import { Badge, Empty, FieldError, Section, Unavailable, day, isStale, label, money } from "../ui.js";

export const title = "Subscription";

const MONEY = "{ amount decimal currency }";

export function load({ accountId }) {
  return onAccount(accountId, `id
    subscription { id plan status currentPeriodStart currentPeriodEnd cancelAtPeriodEnd cancelAt cancellationReason
      items { product priceId quantity unitPrice ${MONEY} interval metered }
      scheduledChange { effectiveAt plan quantity }
      upcomingInvoice { total ${MONEY} amountDue ${MONEY} billedAt } }
    plans { priceId name interval intervalCount unitPrice ${MONEY} perSeat maxQuantity downgradeAtPeriodEnd }
    paymentMethods { id type brand last4 expMonth expYear isDefault }`);
}

const PREVIEW = `mutation PreviewChange($input: SubscriptionChangeInput!) { previewSubscriptionChange(input: $input) {
  preview { plan { name } quantity timing effectiveAt prorationDate nextInvoiceAt
    lines { description amount ${MONEY} proration quantity }
    amountDueNow ${MONEY} nextInvoiceTotal ${MONEY} }
  userErrors { field message code } } }`;
const CHANGE = `mutation ChangeSubscription($input: ChangeSubscriptionInput!) { changeSubscription(input: $input) {
  timing userErrors { field message code } } }`;
const CANCEL = `mutation CancelSubscription($input: CancelSubscriptionInput!) { cancelSubscription(input: $input) {
  subscription { id } userErrors { field message code } } }`;
const RESUME = `mutation ResumeSubscription($input: ResumeSubscriptionInput!) { resumeSubscription(input: $input) {
  subscription { id } userErrors { field message code } } }`;
const SETUP = `mutation AddPaymentMethod($input: CreatePaymentMethodSetupInput!) { createPaymentMethodSetup(input: $input) {
  url userErrors { field message code } } }`;
const MAKE_DEFAULT = `mutation MakeDefault($input: PaymentMethodInput!) { setDefaultPaymentMethod(input: $input) {
  userErrors { field message code } } }`;
const REMOVE = `mutation RemovePaymentMethod($input: PaymentMethodInput!) { removePaymentMethod(input: $input) {
  userErrors { field message code } } }`;

const REASONS = ["TOO_EXPENSIVE", "MISSING_FEATURES", "SWITCHED_SERVICE", "UNUSED", "TOO_COMPLEX",
  "LOW_QUALITY", "CUSTOMER_SERVICE", "OTHER"];

/** Sends a mutation; its payload, or the problems to show by field ("" for the whole). */
async function send(query, input, name) {
  const { data, errors } = await gql(query, { input });
  const payload = data?.[name];
  if (!payload) return { problems: { "": errors[0]?.message || "Not saved. Try again in a moment." } };
  if (payload.userErrors.length) return { problems: byField(payload.userErrors) };
  return { payload };
}

function planLabel(p) {
  const every = p.intervalCount > 1 ? `${p.intervalCount} ${p.interval}s` : p.interval;
  const price = p.unitPrice ? money(p.unitPrice) : "tiered price";
  return `${p.name} · ${price}${p.perSeat ? " per seat" : ""} / ${every}`;
}

function invalid(problems, field, id) {
  return { "aria-invalid": problems[field] ? "true" : undefined, "aria-describedby": problems[field] ? id + "-error" : undefined };
}

function Change({ sub, plans, session, reload }) {
  const licensed = sub.items.find((i) => !i.metered) || sub.items[0];
  const [choice, setChoice] = useState({ priceId: licensed?.priceId || plans[0]?.priceId, quantity: licensed?.quantity || 1 });
  const [preview, setPreview] = useState(null);
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const plan = plans.find((p) => p.priceId === choice.priceId);
  const input = { accountId: session.accountId, priceId: choice.priceId, quantity: Number(choice.quantity) };

  const ask = async (event) => {
    event.preventDefault();
    setBusy(true);
    const { payload, problems: found } = await send(PREVIEW, input, "previewSubscriptionChange");
    setBusy(false);
    setProblems(found || {});
    setPreview(payload?.preview || null);
  };
  const confirm = async () => {
    setBusy(true);
    const { payload, problems: found } = await send(CHANGE, { ...input, prorationDate: preview.prorationDate }, "changeSubscription");
    setBusy(false);
    if (payload) return reload();
    setProblems(found);
    setPreview(null); // an expired or mismatched preview: ask again
  };
  const edit = (field) => (event) => { setChoice({ ...choice, [field]: event.target.value }); setPreview(null); };

  return html`<form class="stack" onSubmit=${ask}>
    <div class="row">
      <div class="field"><label for="change-plan">Plan</label>
        <select id="change-plan" name="priceId" value=${choice.priceId} onChange=${edit("priceId")} ...${invalid(problems, "priceId", "change-plan")}>
          ${plans.map((p) => html`<option value=${p.priceId}>${planLabel(p)}</option>`)}
        </select>
        <${FieldError} id="change-plan-error" message=${problems.priceId} /></div>
      <div class="field"><label for="change-seats">Seats</label>
        <input id="change-seats" name="quantity" type="number" inputmode="numeric" min="1" max=${plan?.maxQuantity || undefined}
          value=${choice.quantity} onInput=${edit("quantity")} ...${invalid(problems, "quantity", "change-seats")} />
        <${FieldError} id="change-seats-error" message=${problems.quantity} /></div>
    </div>
    <${FieldError} id="change-error" message=${problems[""] || problems.prorationDate} />
    ${!preview && html`<div class="actions"><button class="secondary" type="submit" disabled=${busy}>Preview change</button></div>`}
    ${preview && html`<div class="preview" role="region" aria-labelledby="preview-title">
      <h3 id="preview-title">${preview.plan.name} × ${preview.quantity}</h3>
      <p class="muted">${preview.timing === "IMMEDIATELY" ? "Takes effect now." : `Takes effect on ${day(preview.effectiveAt)}, at the end of this period.`}</p>
      ${preview.lines.length > 0 && html`<ul class="rows">${preview.lines.map((l) => html`<li>
        <div>${l.description || (l.proration ? "Adjustment for the rest of the period" : "Charge")}</div>
        <div class="end">${money(l.amount)}</div></li>`)}</ul>`}
      <dl class="details">
        <dt>Due now</dt><dd><strong>${money(preview.amountDueNow)}</strong></dd>
        <dt>Next invoice</dt><dd>${money(preview.nextInvoiceTotal)} on ${day(preview.nextInvoiceAt)}</dd>
      </dl>
      <div class="actions"><button class="primary" type="button" onClick=${confirm} disabled=${busy}>Confirm change</button>
        <button class="secondary" type="button" onClick=${() => setPreview(null)}>Back</button></div>
    </div>`}
  </form>`;
}

function Cancel({ session, reload }) {
  const [open, setOpen] = useState(false);
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  if (!open) return html`<div class="actions"><button class="danger" onClick=${() => setOpen(true)}>Cancel subscription</button></div>`;
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    const { payload, problems: found } = await send(CANCEL, {
      accountId: session.accountId, atPeriodEnd: true,
      reason: form.get("reason") || null, feedback: form.get("feedback") || null,
    }, "cancelSubscription");
    setBusy(false);
    if (payload) return reload();
    setProblems(found);
  };
  return html`<form class="stack" onSubmit=${submit}>
    <p>The subscription ends at the end of the current period; until then nothing changes.</p>
    <div class="field"><label for="cancel-reason">Reason</label>
      <select id="cancel-reason" name="reason" required ...${invalid(problems, "reason", "cancel-reason")}>
        <option value="">Choose a reason</option>
        ${REASONS.map((r) => html`<option value=${r}>${label(r)}</option>`)}
      </select>
      <${FieldError} id="cancel-reason-error" message=${problems.reason} /></div>
    <div class="field"><label for="cancel-feedback">Anything we should know? (optional)</label>
      <textarea id="cancel-feedback" name="feedback" rows="3" maxlength="5000" ...${invalid(problems, "feedback", "cancel-feedback")}></textarea>
      <${FieldError} id="cancel-feedback-error" message=${problems.feedback} /></div>
    <${FieldError} id="cancel-error" message=${problems[""]} />
    <div class="actions"><button class="danger" type="submit" disabled=${busy}>Confirm cancellation</button>
      <button class="secondary" type="button" onClick=${() => setOpen(false)}>Keep subscription</button></div>
  </form>`;
}

function Resume({ session, reload }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const resume = async () => {
    setBusy(true);
    const { payload, problems: found } = await send(RESUME, { accountId: session.accountId }, "resumeSubscription");
    setBusy(false);
    if (payload) return reload();
    setProblems(found);
  };
  return html`<div class="actions"><button class="primary" onClick=${resume} disabled=${busy}>Resume subscription</button></div>
    <${FieldError} id="resume-error" message=${problems[""]} />`;
}

function cardName(m) {
  return m.brand ? `${label(m.brand)} ending ${m.last4}` : `${label(m.type)}${m.last4 ? ` ending ${m.last4}` : ""}`;
}

function PaymentMethods({ methods, session, reload }) {
  const [problems, setProblems] = useState({});
  const [busy, setBusy] = useState(false);
  const act = async (query, name, method) => {
    setBusy(true);
    const { payload, problems: found } = await send(query, { paymentMethodId: method.id }, name);
    setBusy(false);
    if (payload) return reload();
    setProblems({ [method.id]: found.paymentMethodId || found[""] || Object.values(found)[0] });
  };
  const add = async () => {
    setBusy(true);
    const { payload, problems: found } = await send(SETUP, { accountId: session.accountId, returnPath: "/subscription" }, "createPaymentMethodSetup");
    if (payload?.url) return location.assign(payload.url); // Stripe's page; it sends the member back here
    setBusy(false);
    setProblems({ add: found?.returnPath || found?.[""] || "The card page could not be opened." });
  };
  return html`
    ${methods.length === 0 ? html`<${Empty} title="No payment method">Add a card so that invoices are paid automatically.</${Empty}>`
      : html`<ul class="rows">${methods.map((m) => html`<li>
        <div><strong>${cardName(m)}</strong>${m.isDefault && html` <span class="badge badge-active">Default</span>`}<br />
          <span class="muted">${m.expMonth ? `Expires ${String(m.expMonth).padStart(2, "0")}/${m.expYear}` : label(m.type)}</span>
          ${session.isAdmin && !m.isDefault && html`<div class="actions row-actions">
            <button class="secondary" onClick=${() => act(MAKE_DEFAULT, "setDefaultPaymentMethod", m)} disabled=${busy}>Make default<span class="sr-only"> ${cardName(m)}</span></button>
            <button class="danger" onClick=${() => act(REMOVE, "removePaymentMethod", m)} disabled=${busy}>Remove<span class="sr-only"> ${cardName(m)}</span></button></div>`}
          <${FieldError} id=${"pm-error-" + m.id} message=${problems[m.id]} /></div>
      </li>`)}</ul>`}
    ${session.isAdmin && html`<div class="actions"><button class="secondary" onClick=${add} disabled=${busy}>Add payment method</button></div>
      <${FieldError} id="pm-add-error" message=${problems.add} />`}`;
}

export function Screen({ account, stale, result, session, reload, search }) {
  const sub = account?.subscription;
  const failed = (field) => result.errors.some((e) => e.path?.includes(field));
  const licensed = sub?.items.find((i) => !i.metered);
  const next = sub?.upcomingInvoice;
  const live = sub && !["CANCELED", "INCOMPLETE_EXPIRED"].includes(sub.status);
  const setup = search?.get("setup"); // back from Stripe's page to add a card
  return html`<h1>Subscription</h1>
    ${setup === "complete" && html`<p class="card saved" role="status">Your payment method was added.</p>`}
    ${setup === "cancelled" && html`<p class="card" role="status">No payment method was added.</p>`}
    ${failed("subscription") ? html`<${Unavailable} what="Your subscription" />`
      : !sub ? html`<${Empty} title="No subscription">Your plan, its renewal date and what it includes show here once you subscribe.</${Empty}>`
      : html`<${Section} title=${sub.plan || "Your plan"} id="plan-card" stale=${isStale(stale, "subscription")}>
        <dl class="details">
          <dt>Status</dt><dd><${Badge} value=${sub.status} /></dd>
          ${licensed?.quantity != null && html`<dt>Seats</dt><dd>${licensed.quantity}</dd>`}
          <dt>Current period</dt><dd>${day(sub.currentPeriodStart)} – ${day(sub.currentPeriodEnd)}</dd>
          <dt>${sub.cancelAtPeriodEnd ? "Ends" : "Renews"}</dt><dd>${day(sub.cancelAt || sub.currentPeriodEnd)}</dd>
          ${sub.cancelAtPeriodEnd && sub.cancellationReason && html`<dt>Reason</dt><dd>${label(sub.cancellationReason)}</dd>`}
          <dt>Next invoice</dt><dd>${next ? `${money(next.total)} on ${day(next.billedAt)}` : "None"}</dd>
          ${sub.scheduledChange && html`<dt>From ${day(sub.scheduledChange.effectiveAt)}</dt>
            <dd>${sub.scheduledChange.plan || "New plan"}${sub.scheduledChange.quantity ? ` × ${sub.scheduledChange.quantity}` : ""}</dd>`}
        </dl>
        <h3>Included</h3>
        <ul class="rows">${sub.items.map((i) => html`<li><div>${i.product}${i.quantity ? ` × ${i.quantity}` : ""}<br />
          <span class="muted">${i.metered ? "Billed by use" : "Fixed price"}${i.interval ? ` · per ${i.interval}` : ""}</span></div>
          <div class="end">${i.unitPrice ? money(i.unitPrice) : "—"}</div></li>`)}</ul>
        ${!session.isAdmin && html`<p class="muted">Only your account's admins can change the subscription.</p>`}
      </${Section}>
      ${session.isAdmin && live && !sub.cancelAtPeriodEnd && html`<${Section} title="Change plan or seats">
        ${account.plans?.length ? html`<${Change} sub=${sub} plans=${account.plans} session=${session} reload=${reload} />`
          : html`<${Unavailable} what="The plans" />`}
      </${Section}>`}
      ${session.isAdmin && live && html`<${Section} title=${sub.cancelAtPeriodEnd ? "Resume" : "Cancel"} id="cancel-card">
        ${sub.cancelAtPeriodEnd ? html`<p>The subscription ends on ${day(sub.cancelAt || sub.currentPeriodEnd)}. Resume it to keep it going.</p>
            <${Resume} session=${session} reload=${reload} />`
          : html`<${Cancel} session=${session} reload=${reload} />`}
      </${Section}>`}`}
    <${Section} title="Payment methods" stale=${isStale(stale, "paymentMethods")}>
      ${failed("paymentMethods") || !account?.paymentMethods ? html`<${Unavailable} what="Payment methods" />`
        : html`<${PaymentMethods} methods=${account.paymentMethods} session=${session} reload=${reload} />`}
    </${Section}>`;
}

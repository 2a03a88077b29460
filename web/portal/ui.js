// Small pieces every screen uses: links inside the app, sections, empty states, money, dates.
import { html } from "./vendor/htm-preact-standalone-3.1.1.module.js";

export { html };

export function navigate(href, { replace = false } = {}) {
  history[replace ? "replaceState" : "pushState"](null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

/** A titled part of a screen; `stale` marks data the API served from an older copy. */
export function Section({ title, stale, action, children, id }) {
  const headingId = id || "s-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return html`<section class="card" aria-labelledby=${headingId}>
    <div class="section-head">
      <h2 id=${headingId}>${title}</h2>
      ${stale && html`<span class="stale" title="The source did not answer: this is the last copy we had.">Last known</span>`}
      ${action}
    </div>
    ${children}
  </section>`;
}

/** What a list is for, shown when it has nothing in it yet. */
export function Empty({ title, children }) {
  return html`<div class="empty"><p class="empty-title">${title}</p><p>${children}</p></div>`;
}

export function Unavailable({ what }) {
  return html`<p class="unavailable">${what} could not be loaded right now.</p>`;
}

export function money(m) {
  if (!m) return "—";
  const value = Number(m.decimal);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: m.currency }).format(value);
  } catch {
    return `${m.decimal} ${m.currency}`;
  }
}

export function day(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function label(enumValue) {
  if (!enumValue) return "—";
  const text = enumValue.replace(/_/g, " ").toLowerCase();
  return text[0].toUpperCase() + text.slice(1);
}

export function Badge({ value }) {
  return html`<span class=${"badge badge-" + String(value || "none").toLowerCase()}>${label(value)}</span>`;
}

export function FieldError({ id, message }) {
  return message ? html`<p class="field-error" id=${id} role="alert">${message}</p>` : null;
}

/** True when any stale path names `field` (e.g. "invoices"). */
export function isStale(stale, field) {
  return (stale || []).some((path) => path.includes(field));
}

export function bytes(n) {
  if (n == null) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

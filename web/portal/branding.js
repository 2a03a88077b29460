// The account's branding: its logo (when served from this origin: the CSP allows no other)
// and its primary colour, with a text colour on it chosen for contrast.
import { html } from "./vendor/htm-preact-standalone-3.1.1.module.js";

const DEFAULT = "#1d4ed8";

export function applyBranding(branding) {
  const colour = /^#[0-9a-f]{6}$/i.test(branding?.primaryColor || "") ? branding.primaryColor : DEFAULT;
  const root = document.documentElement.style;
  root.setProperty("--brand", colour);
  root.setProperty("--on-brand", luminance(colour) > 0.179 ? "#111827" : "#ffffff");
}

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function sameOrigin(url) {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

export function Brand({ account }) {
  const name = account?.name || "Client portal";
  const logo = account?.branding?.logoUrl;
  return html`<a class="brand" href="/">
    ${logo && sameOrigin(logo)
      ? html`<img class="logo" src=${logo} alt="" width="32" height="32" />`
      : html`<span class="monogram" aria-hidden="true">${name.slice(0, 1)}</span>`}
    <span class="brand-name">${name}</span></a>`;
}

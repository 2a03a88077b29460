// An address inside the portal that names no screen.
import { html } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { Link } from "../ui.js";

export const title = "Page not found";

export function Screen() {
  return html`<h1>Page not found</h1>
    <div class="card"><p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
    <p><${Link} class="button primary" href="/">Go to your dashboard</${Link}></p></div>`;
}
